package io.trynow.platform.state;

import static io.trynow.platform.state.Args.errorText;
import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Args.requireMax;
import static io.trynow.platform.state.Decode.emptyToNull;
import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A visitor's request, from acquire to the claim check: take a ready instance or wait in the
 * template's queue, leave the queue, expire waiting requests, hand a pooled instance to the oldest
 * waiter, and the claim check's outcome (passed, or discarded and re-served). Get it from {@link
 * Store#requests()}.
 */
public final class Requests extends Operations {

  Requests(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Takes the oldest ready instance of the template and assigns it to the request (expiry and max
   * lifetime set in the same call), or queues the request when none is ready. Idempotent per
   * request id.
   */
  public AcquireResult acquire(AcquireArgs a) {
    Reply r = client.call("acquire", acquireArgs(a));
    return switch (status(r)) {
      case "assigned" ->
          new AcquireResult.Assigned(Decode.instance(r.get(2)), a.requestId(), flag(r, 1));
      case "queued" -> new AcquireResult.Queued(a.requestId(), lng(r, 2), flag(r, 1));
      case "queue_full" -> new AcquireResult.QueueFull(a.requestId(), a.maxQueue());
      case "limit" -> new AcquireResult.LimitExceeded(a.requestId(), lng(r, 1), a.maxLivePerIp());
      case "closed" -> new AcquireResult.Closed(Decode.request(r.get(1), 0));
      case "unavailable" ->
          new AcquireResult.Unavailable(
              a.requestId(), Duration.ofMillis(lng(r, 1)), emptyToNull(str(r, 2)));
      default -> throw Decode.unexpected("acquire", r);
    };
  }

  /** The arguments of {@code acquire}, and the first ones of {@code acquire_ready}. */
  private String[] acquireArgs(AcquireArgs a, String... more) {
    String[] args = {
      now(),
      a.requestId(),
      a.template(),
      a.ownerTokenHash(),
      a.clientIp(),
      ms(a.ttl()),
      ms(a.maxLifetime()),
      String.valueOf(a.maxQueue()),
      String.valueOf(a.maxLivePerIp()),
      retentionMs,
      a.fieldsJson() == null ? "" : a.fieldsJson(),
      a.checksClaims() ? "1" : "0"
    };
    if (more.length == 0) {
      return args;
    }
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  /**
   * The warm-hit fast path of an acquire, in one atomic call: the rate limit is checked and counted
   * as {@link Limits#rateLimit} does (limited: nothing written); then, when the template checks no
   * claims, the client IP is under {@code maxLivePerIp} and a ready instance waits, the request
   * takes it exactly as {@link #acquire} would. Otherwise {@link AcquireReadyResult.Miss}: only the
   * rate limit was counted, and the caller continues with {@link #acquire} (pool-service).
   * Idempotent per request id: a repeat returns the instance the request holds.
   */
  public AcquireReadyResult acquireReady(AcquireArgs a, int perHour, int perDay) {
    return acquireReadyResult(client.call("acquire_ready", acquireReadyArgs(a, perHour, perDay)));
  }

  /**
   * {@link #acquireReady} without blocking anybody (an event loop may call it); bad arguments throw
   * at once, a store failure fails the stage.
   */
  public java.util.concurrent.CompletionStage<AcquireReadyResult> acquireReadyAsync(
      AcquireArgs a, int perHour, int perDay) {
    return client
        .callAsync("acquire_ready", acquireReadyArgs(a, perHour, perDay))
        .thenApply(Requests::acquireReadyResult);
  }

  private String[] acquireReadyArgs(AcquireArgs a, int perHour, int perDay) {
    Args.requireNotNegative(perHour, "perHour");
    Args.requireNotNegative(perDay, "perDay");
    return acquireArgs(a, String.valueOf(perHour), String.valueOf(perDay));
  }

  private static AcquireReadyResult acquireReadyResult(Reply r) {
    return switch (status(r)) {
      case "assigned" ->
          new AcquireReadyResult.Assigned(Decode.instance(r.get(2)), flag(r, 1), allowed(r.get(3)));
      case "miss" ->
          new AcquireReadyResult.Miss(
              AcquireReadyResult.Reason.valueOf(str(r, 1).toUpperCase(java.util.Locale.ROOT)),
              allowed(r.get(2)));
      case "limited" ->
          new AcquireReadyResult.Limited(
              (RateLimitResult.Limited) Limits.rateLimitResult(r.get(1)));
      default -> throw Decode.unexpected("acquire_ready", r);
    };
  }

  private static RateLimitResult.Allowed allowed(Reply rl) {
    if (Limits.rateLimitResult(rl) instanceof RateLimitResult.Allowed a) {
      return a;
    }
    throw Decode.unexpected("acquire_ready", rl);
  }

  /**
   * Drops up to {@code max} requests of the template that have waited longer than {@code olderThan}
   * (state {@code expired}) and returns them, so the caller can tell the visitors and refund their
   * rate-limit slots.
   */
  public List<RequestRecord> expireWaiting(String template, Duration olderThan, int max) {
    Ids.requireTemplate(template);
    Args.requirePositive(olderThan, "olderThan");
    Reply r =
        client.call(
            "expire_waiting",
            now(),
            template,
            ms(olderThan),
            String.valueOf(requireMax(max)),
            retentionMs);
    List<RequestRecord> out = new ArrayList<>();
    for (Reply flat : r.get(1)) {
      out.add(Decode.request(flat, 0));
    }
    return out;
  }

  /**
   * The queued requests of {@code template} (among the first {@code max}) whose position fell since
   * they were last told, each handed to exactly one caller (any replica): publish their position.
   */
  public List<QueueMove> queueMoves(String template, int max) {
    Ids.requireTemplate(template);
    List<String> flat =
        Decode.strings(
            client.call("queue_moves", now(), template, String.valueOf(requireMax(max))).get(1));
    List<QueueMove> out = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.add(new QueueMove(flat.get(i), Long.parseLong(flat.get(i + 1))));
    }
    return out;
  }

  /**
   * The owner of a queued request leaves the queue ({@code queued → expired}, reason {@code
   * cancelled}); the requests behind it move up. A request that already holds a demo is not changed
   * ({@link CancelResult.HoldsDemo}): its owner releases the demo instead.
   */
  public CancelResult cancelRequest(String requestId, String ownerTokenHash) {
    Ids.requireRequest(requestId);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Reply r = client.call("cancel_request", now(), requestId, ownerTokenHash, retentionMs);
    return switch (status(r)) {
      case "ok" -> new CancelResult.Cancelled(Decode.request(r.get(2), 0), flag(r, 1));
      case "assigned" -> new CancelResult.HoldsDemo(requestId, str(r, 1));
      case "not_found" -> new NotFound(requestId);
      case "bad_token" -> new BadToken(requestId);
      default -> throw Decode.unexpected("cancel_request", r);
    };
  }

  /**
   * Closes a request whose acquire was answered "not started" ({@code abandon_request}): when no
   * record exists, a closed one ({@code state}: failed or expired, {@code reason}) is written and a
   * later delivery of its acquire is refused ({@link AcquireResult.Closed}); when one exists,
   * nothing is written and it is returned.
   */
  public AbandonResult abandon(
      String requestId,
      String template,
      String ownerTokenHash,
      String clientIp,
      RequestState state,
      String reason) {
    Ids.requireRequest(requestId);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Args.requireIp(clientIp);
    if (state != RequestState.FAILED && state != RequestState.EXPIRED) {
      throw new IllegalArgumentException("an abandoned request is failed or expired");
    }
    Reply r =
        client.call(
            "abandon_request",
            now(),
            requestId,
            template,
            ownerTokenHash,
            clientIp,
            state.wire(),
            reason,
            retentionMs);
    RequestRecord rec = Decode.request(r.get(1), 0);
    return switch (status(r)) {
      case "abandoned" -> new AbandonResult.Abandoned(rec);
      case "exists" -> new AbandonResult.Exists(rec);
      default -> throw Decode.unexpected("abandon_request", r);
    };
  }

  /**
   * While the template's circuit is not closed: ends up to {@code max} queued requests (state
   * {@link RequestState#UNAVAILABLE}) and returns them, so the caller can tell the visitors and
   * refund their rate-limit slots. Nothing while it is closed.
   */
  public List<RequestRecord> dropUnavailable(String template, int max) {
    Ids.requireTemplate(template);
    Reply r =
        client.call(
            "drop_unavailable", now(), template, String.valueOf(requireMax(max)), retentionMs);
    List<RequestRecord> out = new ArrayList<>();
    for (Reply flat : r.get(1)) {
      out.add(Decode.request(flat, 0));
    }
    return out;
  }

  /**
   * The instance just assigned to {@code requestId} failed its claim check (the probe right before
   * the claim, or the on-claim hook): {@code assigned → terminating} (owner cleared; the cleanup
   * worker tears it down), and in the same call the request gets the next ready instance, else it
   * waits first in its template's queue. The visitor never sees the failed instance.
   */
  public Discarded discardClaim(String requestId, String instanceId, String reason) {
    Ids.requireRequest(requestId);
    Ids.requireInstance(instanceId);
    Reply r = client.call("discard_claim", now(), requestId, instanceId, errorText(reason));
    return switch (status(r)) {
      case "assigned" -> new Discarded(Discarded.Outcome.REASSIGNED, Decode.instance(r.get(1)));
      case "queued" -> new Discarded(Discarded.Outcome.QUEUED, null);
      case "wrong_state", "not_found" -> new Discarded(Discarded.Outcome.STALE, null);
      default -> throw Decode.unexpected("discard_claim", r);
    };
  }

  /**
   * The claim check of {@code instanceId} for {@code requestId} passed: the request is no longer
   * {@code checking}, so the visitor may now be shown the instance. False when the claim changed
   * meanwhile (nothing written).
   */
  public boolean claimChecked(String requestId, String instanceId) {
    Ids.requireRequest(requestId);
    Ids.requireInstance(instanceId);
    return "ok".equals(status(client.call("claim_checked", now(), requestId, instanceId)));
  }

  /** An instance handed to a queued request by {@link #serveQueue}. */
  public record Served(String requestId, String fieldsJson, Instance instance) {}

  /**
   * Hands the oldest ready instance of {@code template} to its oldest queued request (for templates
   * whose claims pool-service checks before the visitor is told); empty when nobody waits or
   * nothing is ready.
   */
  public Optional<Served> serveQueue(String template) {
    Ids.requireTemplate(template);
    Reply r = client.call("serve_queue", now(), template, retentionMs);
    return switch (status(r)) {
      case "handed" ->
          Optional.of(new Served(str(r, 1), emptyToNull(str(r, 2)), Decode.instance(r.get(3))));
      case "none" -> Optional.empty();
      default -> throw Decode.unexpected("serve_queue", r);
    };
  }

  /**
   * Claims discarded by a failed claim check (probe or hook) of a template, and the last reason.
   */
  public record ClaimFailures(long discarded, String lastError, Instant lastAt) {}

  /** The claim failures of {@code template} ({@code cf:<tpl>}, written by discard_claim). */
  public ClaimFailures claimFailures(String template) {
    Ids.requireTemplate(template);
    Map<String, String> f =
        Decode.fields(client.call("get_claim_failures", now(), template).get(1));
    String at = f.get("last_at");
    return new ClaimFailures(
        Long.parseLong(f.getOrDefault("discarded", "0")),
        f.get("last_error"),
        at == null ? null : Instant.ofEpochMilli(Long.parseLong(at)));
  }
}
