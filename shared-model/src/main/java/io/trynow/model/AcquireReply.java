package io.trynow.model;

/**
 * Pool-service's answer to an {@link AcquireRequest}.
 *
 * @param outcome what became of the request ({@link AcquireOutcome})
 * @param position 1-based queue position when queued
 * @param etaSeconds estimated wait when queued; for {@code unavailable}, seconds before asking
 *     again may succeed
 */
public record AcquireReply(
    String requestId,
    AcquireOutcome outcome,
    String instanceId,
    String template,
    String url,
    Long expiresAtMs,
    Long maxExpiresAtMs,
    Integer position,
    Long etaSeconds,
    String message) {}
