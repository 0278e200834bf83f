package io.trynow.platform.supervisor;

import java.time.Instant;

/**
 * What the supervisor knows about one loop, for health checks and admin pages.
 *
 * @param name the loop's name (also its metric tag)
 * @param lastBeat last heartbeat: the loop thread beats between iterations and while it sleeps
 * @param iterations iterations that completed
 * @param failures iterations (or opens) that threw
 * @param failingSince start of the current run of failures, null while healthy
 * @param lastError the last failure's {@code toString()}, null if none
 * @param running false once the loop has stopped (shutdown or {@link LoopHandle#stop})
 */
public record LoopStatus(
    String name,
    Instant lastBeat,
    long iterations,
    long failures,
    Instant failingSince,
    String lastError,
    boolean running) {}
