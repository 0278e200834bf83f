package io.trynow.model;

/**
 * {@code trynow.cleanup.<instance id>}, msg id = {@code cleanup:<id>}. Reason: {@code expired},
 * {@code released}, {@code forced}, {@code failed}, {@code orphan}.
 */
public record CleanupRequest(String instanceId, String reason, String requestId) {}
