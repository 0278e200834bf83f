package io.trynow.platform.state;

/** A queued request whose place in the wait queue fell to {@code position} (1-based). */
public record QueueMove(String requestId, long position) {}
