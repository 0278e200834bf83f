package io.trynow.platform.state;

/** Outcome of {@link Lifecycle#forceTerminate}. */
public sealed interface AdminResult permits Changed, NotFound, WrongState {}
