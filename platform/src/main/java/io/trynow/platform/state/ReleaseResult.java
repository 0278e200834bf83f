package io.trynow.platform.state;

/** Outcome of {@link Lifecycle#release}. */
public sealed interface ReleaseResult permits Changed, NotFound, WrongState, BadToken {}
