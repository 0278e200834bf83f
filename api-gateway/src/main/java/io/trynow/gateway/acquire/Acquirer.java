package io.trynow.gateway.acquire;

import io.nats.client.Message;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.GatewayMetrics;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.auth.IdempotencyKeys;
import io.trynow.gateway.auth.Secrets;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.rest.ApiException;
import io.trynow.gateway.rest.Views;
import io.trynow.model.AcquireReply;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RateLimitResult;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.VisitorFields;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/demos}: rate limit (one store call), publish the acquire request to JetStream
 * (msg id = request id), wait a bounded time for pool-service's answer on a core inbox, and turn it
 * into 201 / 202 / 429 / 503. The request id is random, or derived from the client's {@code
 * Idempotency-Key} so that a retried click lands on the same request and the same demo.
 */
@Singleton
public class Acquirer {

  private static final Logger LOG = Logger.getLogger(Acquirer.class);

  private final Store store;
  private final Publisher publisher;
  private final TemplatesConfig templates;
  private final GatewaySettings settings;
  private final Views views;
  private final IdempotencyKeys idempotency;
  private final GatewayMetrics metrics;

  public Acquirer(
      Store store,
      Publisher publisher,
      TemplatesConfig templates,
      GatewaySettings settings,
      Views views,
      GatewayMetrics metrics) {
    this.store = store;
    this.publisher = publisher;
    this.templates = templates;
    this.settings = settings;
    this.views = views;
    this.metrics = metrics;
    this.idempotency = new IdempotencyKeys(settings.secret());
  }

  /**
   * Opens the reply inbox right after startup (on its own thread: NATS may not be up yet), so that
   * the first acquire does not wait for its subscription.
   */
  void openReplyInbox(@Observes StartupEvent ev) {
    Thread.ofVirtual()
        .name("open-reply-inbox")
        .start(() -> {
          try {
            publisher.openReplyInbox();
          } catch (RuntimeException e) {
            LOG.infof("reply inbox not opened at startup (the first acquire will): %s", e);
          }
        });
  }

  /** Who is asking and how: the client IP, API key (or null) and Idempotency-Key (or null). */
  public record Caller(String clientIp, String apiKey, String idempotencyKey) {}

  /** The request id and token this call will use (fixed before anything is written). */
  public record Ticket(String requestId, String accessToken) {}

  /** The id and token for this caller: derived from the Idempotency-Key, or fresh. */
  public Ticket ticket(Caller caller) {
    if (caller.idempotencyKey() == null) {
      return new Ticket(Ids.newRequestId(), AccessTokens.newToken());
    }
    if (!IdempotencyKeys.isValid(caller.idempotencyKey())) {
      throw ApiException.badRequest(
          "Idempotency-Key must be 16 to 128 visible ASCII characters (a UUID will do)");
    }
    String scope =
        caller.clientIp()
            + "|"
            + (caller.apiKey() == null ? "" : Secrets.sha256Hex(caller.apiKey()));
    return new Ticket(
        idempotency.requestId(scope, caller.idempotencyKey()),
        idempotency.accessToken(scope, caller.idempotencyKey()));
  }

  /** The answer: 201 with a demo, 202 queued/pending, plus the rate-limit figures for headers. */
  public sealed interface Result {
    RateLimit rateLimit();
  }

  public record Assigned(io.trynow.gateway.rest.DemoView demo, RateLimit rateLimit)
      implements Result {}

  public record Waiting(io.trynow.gateway.rest.QueuedView queued, RateLimit rateLimit)
      implements Result {}

  /** RateLimit-* header values (hour window); null on a repeat answered from the store. */
  public record RateLimit(long limit, long remaining, long resetSeconds) {}

  public Result acquire(String template, Caller caller, Ticket t) {
    return acquire(template, null, caller, t);
  }

  /**
   * An acquire with visitor fields, checked against the template's schema before anything is
   * written (400 {@code invalid_field}: nothing counted, nothing published).
   */
  public Result acquire(String template, Map<String, ?> fields, Caller caller, Ticket t) {
    TemplatesConfig.Template tpl = template(template);
    Map<String, Object> checked;
    try {
      checked = VisitorFields.validate(tpl.fields(), fields);
    } catch (VisitorFields.InvalidField e) {
      throw new ApiException(400, "invalid_field", "fields." + e.getMessage());
    }
    String rid = t.requestId();
    String tokenHash = AccessTokens.hash(t.accessToken());

    if (caller.idempotencyKey() != null) {
      Optional<Result> earlier = fromStore(rid, t.accessToken(), null);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }

    long t0 = System.nanoTime();
    RateLimit rl = rateLimit(caller.clientIp(), rid);
    long t1 = System.nanoTime();
    metrics.stage(GatewayMetrics.Stage.RATE_LIMIT, t1 - t0);
    long now = System.currentTimeMillis();
    AcquireRequest msg =
        new AcquireRequest(
            rid,
            template,
            caller.clientIp(),
            tokenHash,
            now,
            null,
            checked.isEmpty() ? null : checked);
    Optional<Message> reply;
    try {
      long[] stored = {0};
      reply = publish(template, rid, msg, at -> stored[0] = at);
      metrics.stage(GatewayMetrics.Stage.PUBLISH, stored[0] - t1);
      metrics.stage(GatewayMetrics.Stage.REPLY, System.nanoTime() - stored[0]);
    } catch (MessagingException e) {
      if (e.kind() != MessagingException.Kind.UNKNOWN_OUTCOME) {
        refund(caller.clientIp(), rid, now);
      }
      LOG.warnf("acquire %s not published: %s", rid, e.getMessage());
      throw ApiException.unavailable("the service is busy; try again shortly", 2);
    }
    if (reply.isEmpty()) {
      // The request is stored and will be handled; maybe it already was (a lost reply).
      return fromStore(rid, t.accessToken(), rl)
          .orElseGet(() ->
              new Waiting(views.queued(rid, "pending", template, null, null, t.accessToken()), rl));
    }
    AcquireReply r = Json.read(reply.get().getData(), AcquireReply.class);
    return switch (r.outcome()) {
      case "assigned" -> new Assigned(views.demo(r, t.accessToken()), rl);
      case "queued" ->
          new Waiting(
              views.queued(
                  rid,
                  "queued",
                  template,
                  r.position() == null ? null : r.position().longValue(),
                  r.etaSeconds(),
                  t.accessToken()),
              rl);
      case "full" ->
          throw new ApiException(
                  503,
                  "capacity_full",
                  "every demo of this template is taken and the queue is full; try again later")
              .header("Retry-After", retryAfterFull(tpl));
      case "unavailable" -> throw templateUnavailable(r.etaSeconds() == null ? 5 : r.etaSeconds());
      case "limited" ->
          throw new ApiException(
                  429,
                  "too_many_live_demos",
                  "this address already holds as many demos as allowed; release one first")
              .header("Retry-After", 60);
      default -> throw closed();
    };
  }

  private Optional<Message> publish(
      String template, String rid, AcquireRequest msg, java.util.function.LongConsumer onStored) {
    // The publisher declares the streams itself when the server has none ("no responders").
    return publisher.publishAndAwaitReply(msg, settings.config().replyWait(), onStored);
  }

  private TemplatesConfig.Template template(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("template is required");
    }
    TemplatesConfig.Template tpl = Ids.isTemplate(name) ? templates.templates().get(name) : null;
    if (tpl == null) {
      throw new ApiException(400, "unknown_template", "unknown template; see GET /v1/templates");
    }
    return tpl;
  }

  private RateLimit rateLimit(String ip, String rid) {
    int perHour = settings.config().acquiresPerHour();
    RateLimitResult r =
        store.limits().rateLimit(ip, rid, perHour, settings.config().acquiresPerDay());
    Instant now = Instant.now();
    if (r instanceof RateLimitResult.Limited l) {
      long retry = Math.max(1, Duration.between(now, l.resetAt()).toSeconds() + 1);
      long limit =
          l.window() == RateLimitResult.Window.HOUR ? perHour : settings.config().acquiresPerDay();
      throw new ApiException(
              429,
              "rate_limited",
              "too many demos asked for from this address; retry after " + retry + " seconds")
          .header("Retry-After", retry)
          .header("RateLimit-Limit", limit)
          .header("RateLimit-Remaining", 0)
          .header("RateLimit-Reset", retry);
    }
    RateLimitResult.Allowed a = (RateLimitResult.Allowed) r;
    long reset = Math.max(0, Duration.between(now, a.hourReset()).toSeconds());
    return new RateLimit(perHour, Math.max(0, perHour - a.hourCount()), reset);
  }

  private void refund(String ip, String rid, long countedAtMs) {
    try {
      store.limits().rateLimitRefund(ip, rid, Instant.ofEpochMilli(countedAtMs));
    } catch (RuntimeException e) {
      LOG.warnf("rate-limit refund of %s failed: %s", rid, e.toString());
    }
  }

  /**
   * The answer for a request the store already knows (a retry with the same Idempotency-Key, or a
   * reply that did not arrive in time).
   */
  private Optional<Result> fromStore(String rid, String token, RateLimit rl) {
    Optional<RequestRecord> rec = store.request(rid);
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    RequestRecord r = rec.get();
    if (!AccessTokens.matches(token, r.ownerTokenHash())) {
      // Only a holder of the gateway secret could derive a colliding id: refuse, reveal nothing.
      throw ApiException.conflict("idempotency_conflict", "this Idempotency-Key cannot be used");
    }
    return switch (r.state()) {
      case QUEUED ->
          Optional.of(
              new Waiting(
                  views.queued(rid, "queued", r.template(), r.position(), null, token), rl));
      case ASSIGNED -> {
        if (r.checking()) {
          // its claim check (on-claim hook) has not passed yet: not shown until it has
          yield Optional.of(
              new Waiting(views.queued(rid, "pending", r.template(), null, null, token), rl));
        }
        Instance i = store.instance(r.instanceId()).orElseThrow(Acquirer::closed);
        if (i.state() != io.trynow.model.InstanceState.ASSIGNED) {
          throw closed();
        }
        yield Optional.of(new Assigned(views.demo(i, token), rl));
      }
      case UNAVAILABLE -> throw templateUnavailable(5);
      case FAILED, EXPIRED -> throw closed();
    };
  }

  /** 503: the template's failure circuit is open and nothing is ready (no queue slot given). */
  private static ApiException templateUnavailable(long retryAfterSeconds) {
    return new ApiException(
            503,
            "template_unavailable",
            "this template cannot be served right now; try again later")
        .header("Retry-After", Math.max(1, retryAfterSeconds));
  }

  private static ApiException closed() {
    return ApiException.conflict(
        "request_closed",
        "this request has ended (expired or failed); ask again with a new Idempotency-Key");
  }

  private static long retryAfterFull(TemplatesConfig.Template tpl) {
    return Math.max(5, Math.min(300, tpl.healthTimeout().toSeconds()));
  }
}
