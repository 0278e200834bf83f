package io.trynow.model;

/**
 * {@code trynow.acquire.<template>}, msg id = request id (minted once per visitor request, so a
 * retried publish is stored once). The gateway waits for an {@link AcquireReply} on the message's
 * reply subject (a core NATS inbox) for a bounded time.
 *
 * @param ownerTokenHash SHA-256 (hex) of the visitor's access token; the token itself never leaves
 *     the gateway
 * @param requestedAtMs the gateway's clock when the visitor asked (epoch ms)
 * @param fields the visitor fields the template's schema allows (checked by the gateway), for the
 *     on-claim hook; null or empty when none
 */
public record AcquireRequest(
    String requestId,
    String template,
    String clientIp,
    String ownerTokenHash,
    long requestedAtMs,
    String replyTo,
    java.util.Map<String, Object> fields)
    implements WireMessage {

  /** Without visitor fields. */
  public AcquireRequest(
      String requestId,
      String template,
      String clientIp,
      String ownerTokenHash,
      long requestedAtMs,
      String replyTo) {
    this(requestId, template, clientIp, ownerTokenHash, requestedAtMs, replyTo, null);
  }

  @Override
  public String subject() {
    return Subjects.acquire(template);
  }

  @Override
  public String msgId() {
    return Ids.requireRequest(requestId);
  }
}
