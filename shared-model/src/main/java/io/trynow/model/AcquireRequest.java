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
 * @param maxLivePerIp the per-IP live cap this acquire is decided with (the gateway's {@code
 *     trynow.gateway.max-live-per-ip}, the one setting of it: the gateway's fast path used the same
 *     value for this request); 0: no cap, also what a message without it means
 */
public record AcquireRequest(
    String requestId,
    String template,
    String clientIp,
    String ownerTokenHash,
    long requestedAtMs,
    String replyTo,
    java.util.Map<String, Object> fields,
    int maxLivePerIp)
    implements WireMessage {

  /** Without visitor fields and without a per-IP cap (warm-ups, tests). */
  public AcquireRequest(
      String requestId,
      String template,
      String clientIp,
      String ownerTokenHash,
      long requestedAtMs,
      String replyTo) {
    this(requestId, template, clientIp, ownerTokenHash, requestedAtMs, replyTo, null, 0);
  }

  public AcquireRequest {
    if (maxLivePerIp < 0) {
      throw new IllegalArgumentException("maxLivePerIp must be >= 0: " + maxLivePerIp);
    }
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
