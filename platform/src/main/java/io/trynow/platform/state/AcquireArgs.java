package io.trynow.platform.state;

import io.trynow.model.Ids;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Requests#acquire} needs: who asks, for what, and the template's limits (the store
 * keeps no template config; the caller passes it every time).
 *
 * @param requestId the request id; a repeat with the same id returns the first call's outcome
 * @param template template name
 * @param ownerTokenHash hash of the visitor's access token (never the token itself)
 * @param clientIp the visitor's IP (the per-IP cap counts by it)
 * @param ttl lifetime given at assignment (clamped to {@code maxLifetime})
 * @param maxLifetime hard cap from assignment
 * @param maxQueue most requests waiting for this template; 0 means never queue
 * @param maxLivePerIp most live demos (queued or assigned) per client IP; 0 means no cap
 * @param fieldsJson the visitor fields (JSON object, already validated against the template's
 *     schema) kept on the request for the on-claim hook; null when none
 * @param checksClaims the template checks claims (probe, hook): an assigned request is marked
 *     {@code checking} until pool-service confirms the check ({@code claim_checked})
 */
public record AcquireArgs(
    String requestId,
    String template,
    String ownerTokenHash,
    String clientIp,
    Duration ttl,
    Duration maxLifetime,
    int maxQueue,
    int maxLivePerIp,
    String fieldsJson,
    boolean checksClaims) {

  public AcquireArgs {
    Ids.requireRequest(requestId);
    Ids.requireTemplate(template);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Args.requireIp(clientIp);
    Args.requirePositive(ttl, "ttl");
    Args.requirePositive(maxLifetime, "maxLifetime");
    Args.requireNotNegative(maxQueue, "maxQueue");
    Args.requireNotNegative(maxLivePerIp, "maxLivePerIp");
    Objects.requireNonNull(clientIp);
    if (fieldsJson != null && fieldsJson.length() > 8192) {
      throw new IllegalArgumentException("fieldsJson must be at most 8192 characters");
    }
  }

  /** Without visitor fields. */
  public AcquireArgs(
      String requestId,
      String template,
      String ownerTokenHash,
      String clientIp,
      Duration ttl,
      Duration maxLifetime,
      int maxQueue,
      int maxLivePerIp) {
    this(
        requestId,
        template,
        ownerTokenHash,
        clientIp,
        ttl,
        maxLifetime,
        maxQueue,
        maxLivePerIp,
        null,
        false);
  }
}
