package io.trynow.platform.state;

import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;
import static io.trynow.platform.state.Decode.time;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-client limits counted across every replica: the hourly and daily rate limit (with refunds)
 * and the event-stream slots (leases that lapse with the replica that held them). Get it from
 * {@link Store#limits()}.
 */
public final class Limits extends Operations {

  Limits(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Counts one call of {@code clientIp} in its hour and day windows if both are below their limits,
   * in one atomic check-and-increment. With a request id, a repeat of the same id is not counted
   * again.
   *
   * @param requestId the request being admitted, or null
   */
  public RateLimitResult rateLimit(String clientIp, String requestId, int perHour, int perDay) {
    return rateLimitResult(
        client.call("rate_limit", rateLimitArgs(clientIp, requestId, perHour, perDay)));
  }

  /**
   * {@link #rateLimit} without blocking anybody (an event loop may call it); bad arguments throw at
   * once, a store failure fails the stage.
   */
  public java.util.concurrent.CompletionStage<RateLimitResult> rateLimitAsync(
      String clientIp, String requestId, int perHour, int perDay) {
    return client
        .callAsync("rate_limit", rateLimitArgs(clientIp, requestId, perHour, perDay))
        .thenApply(Limits::rateLimitResult);
  }

  private String[] rateLimitArgs(String clientIp, String requestId, int perHour, int perDay) {
    Args.requireIp(clientIp);
    if (requestId != null) {
      Ids.requireRequest(requestId);
    }
    Args.requireNotNegative(perHour, "perHour");
    Args.requireNotNegative(perDay, "perDay");
    return new String[] {
      now(),
      clientIp,
      requestId == null ? "" : requestId,
      String.valueOf(perHour),
      String.valueOf(perDay)
    };
  }

  static RateLimitResult rateLimitResult(Reply r) {
    return switch (status(r)) {
      case "allowed" ->
          new RateLimitResult.Allowed(lng(r, 1), lng(r, 2), time(r, 3), time(r, 4), flag(r, 5));
      case "limited" ->
          new RateLimitResult.Limited(
              RateLimitResult.Window.valueOf(str(r, 1).toUpperCase(java.util.Locale.ROOT)),
              lng(r, 2),
              time(r, 3),
              lng(r, 4),
              lng(r, 5),
              time(r, 6),
              time(r, 7));
      default -> throw Decode.unexpected("rate_limit", r);
    };
  }

  /**
   * Gives back the slot counted for {@code requestId} at {@code countedAt} (in the windows of that
   * time). Idempotent per request id: returns false when it was already refunded.
   */
  public boolean rateLimitRefund(String clientIp, String requestId, Instant countedAt) {
    Args.requireIp(clientIp);
    Ids.requireRequest(requestId);
    Reply r =
        client.call(
            "rate_limit_refund",
            now(),
            clientIp,
            requestId,
            String.valueOf(countedAt.toEpochMilli()));
    return flag(r, 1);
  }

  /**
   * Takes a slot for one event stream of {@code clientIp}, counted with every gateway replica's: at
   * most {@code perIp} open streams per client IP and {@code total} in all. The slot is a lease
   * that lapses {@code lease} from now unless renewed ({@link #sseRenew}); leases of a replica that
   * died lapse with it.
   */
  public StreamLease sseOpen(String clientIp, Duration lease, int perIp, int total) {
    Args.requireIp(clientIp);
    Args.requirePositive(lease, "lease");
    Args.requireNotNegative(perIp, "perIp");
    Args.requireNotNegative(total, "total");
    // a stream lease id: "s" and the 19 random base32 characters of a fresh instance id
    String id = "s" + Ids.newInstanceId().substring(1);
    Reply r =
        client.call(
            "sse_open",
            now(),
            id,
            clientIp,
            ms(lease),
            String.valueOf(perIp),
            String.valueOf(total));
    return switch (status(r)) {
      case "ok" -> new StreamLease.Held(id, clientIp, lng(r, 1), lng(r, 2));
      case "full" ->
          new StreamLease.Refused(
              "ip".equals(str(r, 1)) ? StreamLease.Cap.IP : StreamLease.Cap.TOTAL, lng(r, 2));
      default -> throw Decode.unexpected("sse_open", r);
    };
  }

  /**
   * Renews the leases of the event streams still open here (lease id → client IP) until {@code
   * lease} from now, in one call; returns how many.
   */
  public int sseRenew(Duration lease, java.util.Map<String, String> leases) {
    Args.requirePositive(lease, "lease");
    if (leases.isEmpty()) {
      return 0;
    }
    List<String> args = new ArrayList<>(2 + leases.size() * 2);
    args.add(now());
    args.add(ms(lease));
    leases.forEach((id, ip) -> {
      args.add(id);
      args.add(Args.requireIp(ip));
    });
    return (int) lng(client.call("sse_renew", args.toArray(String[]::new)), 1);
  }

  /** Gives an event stream's slot back; false when it was not held (lapsed, or closed already). */
  public boolean sseClose(StreamLease.Held held) {
    return flag(client.call("sse_close", now(), held.id(), held.clientIp()), 1);
  }
}
