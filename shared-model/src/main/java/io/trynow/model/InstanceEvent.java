package io.trynow.model;

/**
 * {@code trynow.events.instance.<id>.<kind>} (msg id {@code <id>:<version>}) and {@code
 * trynow.events.request.<request id>.<kind>}. Kinds: {@code requested}, {@code started}, {@code
 * ready}, {@code assigned}, {@code extended}, {@code expiring}, {@code terminating}, {@code
 * terminated}, {@code failed}; for requests also {@code queued}, {@code position}, {@code expired}.
 * Events are hints: consumers re-read Valkey before acting.
 */
public record InstanceEvent(
    String kind,
    String instanceId,
    String template,
    String state,
    long version,
    long atMs,
    String requestId,
    String url,
    Long expiresAtMs,
    Integer position,
    Long etaSeconds,
    String reason) {}
