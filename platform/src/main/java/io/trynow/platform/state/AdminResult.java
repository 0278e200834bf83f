package io.trynow.platform.state;

/** Outcome of {@link Store#forceTerminate}. */
public sealed interface AdminResult permits Changed, NotFound, WrongState {}
