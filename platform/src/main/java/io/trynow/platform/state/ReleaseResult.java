package io.trynow.platform.state;

/** Outcome of {@link Store#release}. */
public sealed interface ReleaseResult permits Changed, NotFound, WrongState, BadToken {}
