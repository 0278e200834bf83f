package io.trynow.platform.state;

/**
 * Outcome of a write by the worker holding a claim ({@code markStarted}, {@code markFailed}, {@code
 * markTerminated}, {@code renewLease}).
 */
public sealed interface FencedResult permits Changed, NotFound, WrongState, StaleFence {}
