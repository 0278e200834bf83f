package io.trynow.model;

import java.util.Objects;

/**
 * A visitor's request moved while it waits: {@code trynow.events.request.<request id>.<kind>} on
 * stream {@code TRYNOW_EVENTS}. Separate from {@link InstanceEvent}: a request has no instance
 * state or version until it is assigned. Build one with the factories ({@link #queued}, {@link
 * #assigned}, …).
 *
 * <p>Msg id: {@code <request id>:<kind>} plus what makes the logical event unique —
 *
 * <ul>
 *   <li>{@code queued} / {@code position}: {@code :<position>}. N pool replicas noticing the same
 *       move publish one event; a later move to another position is a new one.
 *   <li>{@code assigned}: {@code :<instance id>}. The same hand-over (pool-service's warm acquire
 *       or claim check, proxy-sync's hand-over to a queued visitor, any retry or redelivery of
 *       them) is one event whoever publishes it; a request handed a different instance (its claim
 *       check discarded the first) is a new event. Not the instance's version: two instances can be
 *       assigned at the same version, and not a bare {@code :assigned}: that would swallow a
 *       re-assignment within the duplicate window. (Until this format, pool-service used {@code
 *       <rid>:assigned} and proxy-sync {@code <rid>:assigned:<version>}; during a rolling upgrade a
 *       hand-over may be published once per format, i.e. twice — a harmless repeated hint.)
 *   <li>{@code expired}, {@code unavailable}, {@code failed}: nothing more; each ends the request.
 * </ul>
 *
 * @param position 1-based queue position ({@code queued}, {@code position})
 * @param etaSeconds estimated wait ({@code queued}, {@code position})
 * @param instanceId the demo's instance ({@code assigned})
 * @param url the demo's public URL ({@code assigned})
 * @param expiresAtMs the demo's expiry, epoch ms ({@code assigned})
 * @param reason why the request ended ({@code failed})
 * @param atMs when the event was published (epoch ms)
 */
public record RequestEvent(
    RequestEventKind kind,
    String requestId,
    String template,
    Integer position,
    Long etaSeconds,
    String instanceId,
    String url,
    Long expiresAtMs,
    String reason,
    long atMs)
    implements WireMessage {

  public RequestEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(requestId, "requestId");
  }

  public static RequestEvent queued(String rid, String template, long position, long etaSeconds) {
    return waiting(RequestEventKind.QUEUED, rid, template, position, etaSeconds);
  }

  public static RequestEvent position(String rid, String template, long position, long etaSecs) {
    return waiting(RequestEventKind.POSITION, rid, template, position, etaSecs);
  }

  /** The request got {@code instanceId}, reachable at {@code url} until {@code expiresAtMs}. */
  public static RequestEvent assigned(
      String rid, String template, String instanceId, String url, Long expiresAtMs) {
    Objects.requireNonNull(instanceId, "instanceId");
    return new RequestEvent(
        RequestEventKind.ASSIGNED,
        rid,
        template,
        null,
        null,
        instanceId,
        url,
        expiresAtMs,
        null,
        System.currentTimeMillis());
  }

  public static RequestEvent expired(String rid, String template) {
    return ended(RequestEventKind.EXPIRED, rid, template, null);
  }

  public static RequestEvent unavailable(String rid, String template) {
    return ended(RequestEventKind.UNAVAILABLE, rid, template, null);
  }

  public static RequestEvent failed(String rid, String template, String reason) {
    return ended(RequestEventKind.FAILED, rid, template, reason);
  }

  private static RequestEvent waiting(
      RequestEventKind kind, String rid, String template, long position, long etaSeconds) {
    return new RequestEvent(
        kind,
        rid,
        template,
        Math.toIntExact(position),
        etaSeconds,
        null,
        null,
        null,
        null,
        System.currentTimeMillis());
  }

  private static RequestEvent ended(
      RequestEventKind kind, String rid, String template, String reason) {
    return new RequestEvent(
        kind, rid, template, null, null, null, null, null, reason, System.currentTimeMillis());
  }

  @Override
  public String subject() {
    return Subjects.requestEvent(requestId, requireKnown());
  }

  @Override
  public String msgId() {
    String base = requestId + ":" + requireKnown().wire();
    return switch (kind) {
      case QUEUED, POSITION -> base + ":" + position;
      case ASSIGNED -> base + ":" + instanceId;
      default -> base;
    };
  }

  private RequestEventKind requireKnown() {
    if (kind == RequestEventKind.UNKNOWN) {
      throw new IllegalStateException("an event of unknown kind is never published");
    }
    return kind;
  }
}
