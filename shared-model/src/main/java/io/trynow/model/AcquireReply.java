package io.trynow.model;

/**
 * Pool-service's answer to an {@link AcquireRequest}.
 *
 * @param outcome {@code assigned}, {@code queued}, {@code full} (capacity and queue full), {@code
 *     limited} (the client IP holds as many live demos as allowed), {@code unavailable} (the
 *     template's failure circuit is open and nothing is ready), {@code failed} or {@code expired}
 * @param position 1-based queue position when queued
 * @param etaSeconds estimated wait when queued; for {@code unavailable}, seconds before asking
 *     again may succeed
 */
public record AcquireReply(
    String requestId,
    String outcome,
    String instanceId,
    String template,
    String url,
    Long expiresAtMs,
    Long maxExpiresAtMs,
    Integer position,
    Long etaSeconds,
    String message) {}
