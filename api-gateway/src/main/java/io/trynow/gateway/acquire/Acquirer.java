package io.trynow.gateway.acquire;

import io.nats.client.Message;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.GatewayMetrics;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.auth.IdempotencyKeys;
import io.trynow.gateway.auth.Secrets;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.RateLimits;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.model.AcquireReply;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.model.WireMessage;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AbandonResult;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireReadyResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RateLimitResult;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.VisitorFields;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@code POST /v1/demos}: rate limit (one store call), publish the acquire request to JetStream
 * (msg id = request id), wait a bounded time for pool-service's answer on a core inbox, and turn it
 * into 201 / 202 / 429 / 503. The request id is random, or derived from the client's {@code
 * Idempotency-Key} so that a retried click lands on the same request and the same demo.
 */
@Singleton
public class Acquirer {

  private static final Logger LOG = Logger.getLogger(Acquirer.class);

  /** The ended reason of a request closed because its acquire was not confirmed by NATS. */
  public static final String NOT_PUBLISHED = "not_published";

  private final Store store;
  private final Publisher publisher;
  private final TemplatesConfig templates;
  private final GatewaySettings settings;
  private final IdempotencyKeys idempotency;
  private final GatewayMetrics metrics;

  public Acquirer(
      Store store,
      Publisher publisher,
      TemplatesConfig templates,
      GatewaySettings settings,
      GatewayMetrics metrics) {
    this.store = store;
    this.publisher = publisher;
    this.templates = templates;
    this.settings = settings;
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
      throw Refusal.badRequest(
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

  /**
   * The answer: a demo, or a place in the queue / pending, with the caller's rate-limit windows
   * (null on a repeat answered from the store). Refusals are thrown as {@link Refusal}.
   */
  public sealed interface Result {
    RateLimits rateLimits();

    /**
     * The id of the request this answer is about. With an Idempotency-Key it is the key's current
     * attempt, which differs from {@link #ticket}'s after a 503 ({@link #currentAttempt}): the HTTP
     * layer answers under this id ({@code Trynow-Request-Id}), as the body does.
     */
    String requestId();
  }

  /**
   * The request holds a demo: the instance as stored, or as pool-service's reply described it.
   *
   * @param accessToken the visitor's token, returned once
   */
  public record Assigned(String requestId, Demo demo, String accessToken, RateLimits rateLimits)
      implements Result {}

  /**
   * No demo yet: {@code QUEUED} with its place, or {@code PENDING} (the pool has not answered, or
   * the outcome is unknown): the status URL tells.
   */
  public record Waiting(
      String requestId,
      WaitState state,
      String template,
      Long position,
      Long etaSeconds,
      String accessToken,
      RateLimits rateLimits)
      implements Result {}

  /** What a waiting request is doing. */
  public enum WaitState {
    QUEUED,
    PENDING;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A demo handed to the visitor: from the store, or from pool-service's reply (no store read). */
  public sealed interface Demo {
    /** The instance as stored. */
    record Stored(Instance instance) implements Demo {}

    /** The instance as pool-service's reply described it. */
    record Replied(AcquireReply reply) implements Demo {}
  }

  public Result acquire(String template, Caller caller, Ticket t) {
    return acquire(template, null, caller, t);
  }

  /**
   * An acquire with visitor fields, checked against the template's schema before anything is
   * written (400 {@code invalid_field}: nothing counted, nothing published).
   */
  public Result acquire(String template, Map<String, ?> fields, Caller caller, Ticket key) {
    TemplatesConfig.Template tpl = template(template);
    Map<String, Object> checked = checkedFields(tpl, fields);
    Ticket t = caller.idempotencyKey() == null ? key : currentAttempt(key);
    try {
      return attempt(template, tpl, checked, caller, t);
    } catch (Refusal e) {
      // answered under the attempt's id, which is not the ticket's after a 503 (currentAttempt)
      throw e.requestId(t.requestId());
    }
  }

  /** One attempt of {@link #acquire(String, Map, Caller, Ticket)}, under its request id. */
  private Result attempt(
      String template,
      TemplatesConfig.Template tpl,
      Map<String, Object> checked,
      Caller caller,
      Ticket t) {
    String rid = t.requestId();
    String tokenHash = AccessTokens.hash(t.accessToken());

    if (caller.idempotencyKey() != null) {
      Optional<Result> earlier = fromStore(rid, t.accessToken(), null);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }

    long t0 = System.nanoTime();
    AcquireReadyResult fast =
        store
            .requests()
            .acquireReady(
                readyArgs(tpl, template, checked, caller, rid, tokenHash), perHour(), perDay());
    long t1 = System.nanoTime();
    metrics.stage(GatewayMetrics.Stage.ACQUIRE_READY, t1 - t0);
    if (fast instanceof AcquireReadyResult.Assigned a) {
      return warmHit(a, t, Runnable::run);
    }
    RateLimits rl = missWindows(fast);
    AcquireRequest msg = message(template, checked, caller, rid, tokenHash);
    Optional<Message> reply;
    try {
      long[] stored = {0};
      // The publisher declares the streams itself when the server has none ("no responders").
      reply =
          publisher.publishAndAwaitReply(msg, settings.config().replyWait(), at -> stored[0] = at);
      metrics.stage(GatewayMetrics.Stage.PUBLISH, stored[0] - t1);
      metrics.stage(GatewayMetrics.Stage.REPLY, System.nanoTime() - stored[0]);
    } catch (MessagingException e) {
      LOG.warnf("acquire %s not published: %s", rid, e.getMessage());
      return notPublished(template, caller, t, tokenHash, rl);
    }
    if (reply.isEmpty()) {
      // The request is stored and will be handled; maybe it already was (a lost reply).
      return fromStore(rid, t.accessToken(), rl).orElseGet(() -> pending(rid, template, t, rl));
    }
    return answer(reply.get(), template, tpl, t, rl);
  }

  /**
   * {@link #acquire(String, Map, Caller, Ticket)} without a thread waiting for it: the rate limit,
   * the publish, the PubAck and pool-service's reply are each awaited by a callback, so the event
   * loop that received the request runs it and nothing is handed to a worker thread. The same
   * steps, ids and guarantees: the rare paths that must block (an Idempotency-Key seen before, no
   * reply in time, a publish not confirmed and its abandon, the publish's retries) continue on a
   * virtual thread exactly as {@link #acquire(String, Map, Caller, Ticket)} runs them. Refusals
   * fail the stage with the {@link Refusal}; bad input is thrown at once.
   */
  public CompletableFuture<Result> acquireAsync(
      String template, Map<String, ?> fields, Caller caller, Ticket t) {
    return acquireAsync(template, fields, caller, t, Runnable::run);
  }

  /**
   * {@link #acquireAsync(String, Map, Caller, Ticket)}, with a warm hit's follow-up (starting the
   * publish of its {@code assigned} events) handed to {@code followUp} instead of started at once:
   * the HTTP layer runs it once the response has been written (issue #15, sparse traffic). Started
   * at once, the events' publish (a virtual thread, two JetStream publishes, their PubAcks, and
   * proxy-sync and pool-service woken by them) ran beside the writing of the response and took the
   * two cores from it: 3-10 ms of work that began 0.2 ms after the store's answer, while the answer
   * still had ~3 ms to go.
   */
  public CompletableFuture<Result> acquireAsync(
      String template,
      Map<String, ?> fields,
      Caller caller,
      Ticket t,
      java.util.concurrent.Executor followUp) {
    return acquireAsync(template, fields, caller, t, followUp, false);
  }

  /**
   * {@link #acquireAsync(String, Map, Caller, Ticket, java.util.concurrent.Executor)}, or with
   * {@code rehearsal} the startup warm-up's rehearsal of a warm hit: the same checks, ticket, token
   * hash and {@code acquire_ready} call on the caller's event loop (over that loop's Valkey
   * connection), with quotas of 0, so that the function refuses before it writes anything; its
   * windows then answer as a warm hit's do, with a stand-in instance of the template ({@link
   * #standIn}: no instance claimed, no request stored, nothing counted) and the hand-over's events
   * built but not published. The HTTP layer writes that 201 as it writes a warm hit's.
   */
  public CompletableFuture<Result> acquireAsync(
      String template,
      Map<String, ?> fields,
      Caller caller,
      Ticket t,
      java.util.concurrent.Executor followUp,
      boolean rehearsal) {
    TemplatesConfig.Template tpl = template(template);
    Map<String, Object> checked = checkedFields(tpl, fields);
    if (rehearsal) {
      return rehearse(tpl, template, checked, caller, t);
    }
    if (caller.idempotencyKey() == null) {
      return fresh(tpl, template, checked, caller, t, followUp);
    }
    return store
        .requestAsync(t.requestId())
        .toCompletableFuture()
        .thenCompose(earlier ->
            earlier.isEmpty()
                ? fresh(tpl, template, checked, caller, t, followUp)
                // a retry of a request the store knows: answered as the blocking path answers it
                : blocking(t.requestId(), () -> acquire(template, fields, caller, t)));
  }

  /**
   * A request the store does not know yet: rate limit, publish, reply; see {@link #acquireAsync}.
   */
  private CompletableFuture<Result> fresh(
      TemplatesConfig.Template tpl,
      String template,
      Map<String, Object> checked,
      Caller caller,
      Ticket t,
      java.util.concurrent.Executor followUp) {
    String rid = t.requestId();
    String tokenHash = AccessTokens.hash(t.accessToken());
    long t0 = System.nanoTime();
    return store
        .requests()
        .acquireReadyAsync(
            readyArgs(tpl, template, checked, caller, rid, tokenHash), perHour(), perDay())
        .toCompletableFuture()
        .thenCompose(fast -> {
          long t1 = System.nanoTime();
          metrics.stage(GatewayMetrics.Stage.ACQUIRE_READY, t1 - t0);
          if (fast instanceof AcquireReadyResult.Assigned a) {
            return CompletableFuture.completedFuture(warmHit(a, t, followUp));
          }
          RateLimits rl = missWindows(fast);
          AtomicLong stored = new AtomicLong();
          return publisher
              .publishAndAwaitReplyAsync(
                  message(template, checked, caller, rid, tokenHash),
                  settings.config().replyWait(),
                  at -> {
                    stored.set(at);
                    metrics.stage(GatewayMetrics.Stage.PUBLISH, at - t1);
                  },
                  BLOCKING)
              .handle((reply, failure) -> {
                Throwable cause = unwrap(failure);
                if (cause instanceof MessagingException e) {
                  LOG.warnf("acquire %s not published: %s", rid, e.getMessage());
                  return blocking(rid, () -> notPublished(template, caller, t, tokenHash, rl));
                }
                if (cause != null) {
                  return CompletableFuture.<Result>failedFuture(cause);
                }
                // PubAck until the reply; 0 when the reply came first (it proves the message
                // stored)
                long at = stored.get();
                metrics.stage(GatewayMetrics.Stage.REPLY, at == 0 ? 0 : System.nanoTime() - at);
                if (reply.isEmpty()) {
                  // stored and will be handled; maybe it already was (a lost reply)
                  return blocking(
                      rid,
                      () ->
                          fromStore(rid, t.accessToken(), rl)
                              .orElseGet(() -> pending(rid, template, t, rl)));
                }
                try {
                  return CompletableFuture.completedFuture(
                      answer(reply.get(), template, tpl, t, rl));
                } catch (RuntimeException e) {
                  return CompletableFuture.<Result>failedFuture(e);
                }
              })
              .thenCompose(x -> x);
        });
  }

  /**
   * See {@link #acquireAsync(String, Map, Caller, Ticket, java.util.concurrent.Executor, boolean)}.
   */
  private CompletableFuture<Result> rehearse(
      TemplatesConfig.Template tpl,
      String template,
      Map<String, Object> checked,
      Caller caller,
      Ticket t) {
    String rid = t.requestId();
    String tokenHash = AccessTokens.hash(t.accessToken());
    return store
        .requests()
        .acquireReadyAsync(readyArgs(tpl, template, checked, caller, rid, tokenHash), 0, 0)
        .toCompletableFuture()
        .thenApply(fast -> {
          if (!(fast instanceof AcquireReadyResult.Limited l)) {
            throw new IllegalStateException("acquire_ready with no quota answered " + fast);
          }
          RateLimitResult.Limited w = l.limited();
          Instance inst = standIn(tpl, template, caller, rid, tokenHash);
          InstanceEvents.warmAssigned(rid, inst).forEach(Json::write); // built, not published
          RateLimits rl =
              rateLimits(
                  new RateLimitResult.Allowed(
                      w.hourCount(), w.dayCount(), w.hourReset(), w.dayReset(), false),
                  perHour(),
                  perDay());
          return new Assigned(rid, new Demo.Stored(inst), t.accessToken(), rl);
        });
  }

  /**
   * The instance a rehearsal answers with: assigned to the rehearsal's request, on an address that
   * cannot resolve ({@code .invalid}, RFC 6761); it exists nowhere but in that answer.
   */
  private static Instance standIn(
      TemplatesConfig.Template tpl, String template, Caller caller, String rid, String tokenHash) {
    Instant now = Instant.now();
    String id = Ids.newInstanceId();
    return new Instance(
        id,
        template,
        io.trynow.model.InstanceState.ASSIGNED,
        1,
        0,
        null,
        "http://" + id + ".warm-up.invalid/",
        tokenHash,
        rid,
        caller.clientIp(),
        now,
        now,
        now,
        now,
        now.plus(tpl.defaultTtl()),
        now.plus(tpl.maxLifetime()),
        null,
        null,
        0,
        null,
        "warm-up",
        null);
  }

  private int perHour() {
    return settings.config().acquiresPerHour();
  }

  private int perDay() {
    return settings.config().acquiresPerDay();
  }

  /**
   * The arguments of the fast path ({@code acquire_ready}): the same as pool-service passes to
   * {@code acquire}, with the gateway's {@code max-live-per-ip}, the one per-IP cap: a miss's
   * message carries it to pool-service ({@link #message}).
   */
  private AcquireArgs readyArgs(
      TemplatesConfig.Template tpl,
      String template,
      Map<String, Object> checked,
      Caller caller,
      String rid,
      String tokenHash) {
    return new AcquireArgs(
        rid,
        template,
        tokenHash,
        caller.clientIp(),
        tpl.defaultTtl(),
        tpl.maxLifetime(),
        tpl.maxQueue(),
        settings.config().maxLivePerIp(),
        checked.isEmpty() ? null : fieldsJson(checked),
        tpl.checksClaims());
  }

  private static String fieldsJson(Map<String, Object> checked) {
    return new String(Json.write(checked), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * A warm hit decided by {@code acquire_ready}: answered at once from the stored instance; the
   * hand-over's events (the same pool-service publishes for a warm assign: the instance's {@code
   * assigned}, which proxy-sync and the event streams read, and the request's {@code assigned},
   * which wakes pool-service's replenisher through {@code PoolSignals}) go out behind the answer,
   * so the visitor never waits for their PubAcks. A lost event is a lost hint: the replenisher's
   * periodic pass ({@code trynow.pool.replenish-interval}) sees the pool short all the same. {@code
   * followUp} starts that publish (at once, or after the response: {@link #acquireAsync(String,
   * Map, Caller, Ticket, java.util.concurrent.Executor)}).
   */
  private Result warmHit(
      AcquireReadyResult.Assigned a, Ticket t, java.util.concurrent.Executor followUp) {
    RateLimits rl = rateLimits(a.windows(), perHour(), perDay());
    followUp.execute(announce(t.requestId(), a.instance()));
    return new Assigned(t.requestId(), new Demo.Stored(a.instance()), t.accessToken(), rl);
  }

  /** The windows of a miss (the queue path continues), or the 429 when limited. */
  private RateLimits missWindows(AcquireReadyResult fast) {
    return switch (fast) {
      case AcquireReadyResult.Limited l -> rateLimits(l.limited(), perHour(), perDay());
      case AcquireReadyResult.Miss m -> rateLimits(m.windows(), perHour(), perDay());
      case AcquireReadyResult.Assigned a -> throw new IllegalStateException("not a miss");
    };
  }

  /**
   * What publishes a fast-path hand-over's events, in the request's trace (taken now): both sent at
   * once, their PubAcks settled by the thread that reads them ({@link Publisher#publishAsync});
   * only a publish that gets no PubAck in time, or finds no stream, goes on on a virtual thread. A
   * virtual thread per warm hit that waited for the two PubAcks one after the other cost the
   * gateway its park/unpark hand-offs twice per acquire (issue #15, ARCHITECTURE "The acquire tail
   * at 500/s").
   */
  private Runnable announce(String rid, Instance inst) {
    return io.opentelemetry.context.Context.current()
        .wrap(() -> {
          for (WireMessage event : InstanceEvents.warmAssigned(rid, inst)) {
            publisher
                .publishAsync(event, BLOCKING)
                .whenComplete((stored, e) -> {
                  if (e != null) {
                    LOG.warnf(
                        "acquire %s: event %s not published: %s",
                        rid, event.subject(), unwrap(e).getMessage());
                  }
                });
          }
        });
  }

  /** Where an acquire's rare blocking steps run: a virtual thread each. */
  private static final ExecutorService BLOCKING =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("acquire-", 0).factory());

  /** {@code work} on a virtual thread, with the request id in its MDC (its log lines name it). */
  private static <T> CompletableFuture<T> blocking(String rid, Supplier<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          MDC.put(Headers.MDC_REQUEST_ID, rid);
          try {
            return work.get();
          } finally {
            MDC.remove(Headers.MDC_REQUEST_ID);
          }
        },
        BLOCKING);
  }

  /** The exception a stage failed with, without the CompletionException around it. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The visitor fields checked against the template's schema (400 {@code invalid_field}). */
  private static Map<String, Object> checkedFields(
      TemplatesConfig.Template tpl, Map<String, ?> fields) {
    try {
      return VisitorFields.validate(tpl.fields(), fields);
    } catch (VisitorFields.InvalidField e) {
      throw Refusal.of(Refusal.Reason.INVALID_FIELD, "fields." + e.getMessage());
    }
  }

  /**
   * The queue path's message; it carries the per-IP cap the fast path used for this request, so
   * pool-service decides with the same one ({@code max-live-per-ip} is the gateway's setting only).
   */
  private AcquireRequest message(
      String template, Map<String, Object> checked, Caller caller, String rid, String tokenHash) {
    return new AcquireRequest(
        rid,
        template,
        caller.clientIp(),
        tokenHash,
        System.currentTimeMillis(),
        null,
        checked.isEmpty() ? null : checked,
        settings.config().maxLivePerIp());
  }

  /** pool-service's answer as the visitor's result, or its refusal thrown. */
  private Result answer(
      Message reply, String template, TemplatesConfig.Template tpl, Ticket t, RateLimits rl) {
    AcquireReply r = Json.read(reply.getData(), AcquireReply.class);
    String rid = t.requestId();
    return switch (r.outcome()) {
      case ASSIGNED -> new Assigned(rid, new Demo.Replied(r), t.accessToken(), rl);
      case QUEUED ->
          new Waiting(
              rid,
              WaitState.QUEUED,
              template,
              r.position() == null ? null : r.position().longValue(),
              r.etaSeconds(),
              t.accessToken(),
              rl);
      case FULL ->
          throw Refusal.of(
                  Refusal.Reason.CAPACITY_FULL,
                  "every demo of this template is taken and the queue is full; try again later")
              .retryAfter(retryAfterFull(tpl));
      case UNAVAILABLE -> throw templateUnavailable(r.etaSeconds() == null ? 5 : r.etaSeconds());
      case LIMITED ->
          throw Refusal.of(
                  Refusal.Reason.TOO_MANY_LIVE_DEMOS,
                  "this address already holds as many demos as allowed; release one first")
              .retryAfter(60);
      case FAILED, EXPIRED -> throw closed();
    };
  }

  private static Waiting pending(String rid, String template, Ticket t, RateLimits rl) {
    return new Waiting(rid, WaitState.PENDING, template, null, null, t.accessToken(), rl);
  }

  /**
   * The publish was not confirmed, yet its message may be stored and served later (a PubAck lost, a
   * JetStream that stopped answering). One store call closes the request first, so that a late
   * delivery is refused: then the 503 is the truth. If the pool handled the request first, the
   * answer is what it did; if the store cannot be asked either, the outcome is unknown and the
   * visitor gets 202 pending with the status URL, which shows what became of it.
   */
  private Result notPublished(
      String template, Caller caller, Ticket t, String tokenHash, RateLimits rl) {
    String rid = t.requestId();
    AbandonResult a;
    try {
      a =
          store
              .requests()
              .abandon(
                  rid, template, tokenHash, caller.clientIp(), RequestState.FAILED, NOT_PUBLISHED);
    } catch (StoreException e) {
      LOG.warnf("acquire %s: outcome unknown (store unavailable: %s)", rid, e.getMessage());
      return pending(rid, template, t, rl);
    }
    return switch (a) {
      case AbandonResult.Abandoned ab -> {
        refund(caller.clientIp(), rid, ab.request().createdAt().toEpochMilli());
        throw Refusal.unavailable("the service is busy; try again shortly", 2);
      }
      case AbandonResult.Exists ex ->
          fromStore(rid, t.accessToken(), rl).orElseThrow(Acquirer::closed);
    };
  }

  private TemplatesConfig.Template template(String name) {
    if (name == null || name.isBlank()) {
      throw Refusal.badRequest("template is required");
    }
    TemplatesConfig.Template tpl = Ids.isTemplate(name) ? templates.templates().get(name) : null;
    if (tpl == null) {
      throw Refusal.of(Refusal.Reason.UNKNOWN_TEMPLATE, "unknown template; see GET /v1/templates");
    }
    return tpl;
  }

  /** The caller's windows when allowed; the 429 refusal thrown when limited. */
  private static RateLimits rateLimits(RateLimitResult r, int perHour, int perDay) {
    Instant now = Instant.now();
    if (r instanceof RateLimitResult.Limited l) {
      long retry = Math.max(1, Duration.between(now, l.resetAt()).toSeconds() + 1);
      throw Refusal.of(
              Refusal.Reason.RATE_LIMITED,
              "too many demos asked for from this address; retry after " + retry + " seconds")
          .retryAfter(retry)
          .rateLimits(
              windows(
                  now, perHour, l.hourCount(), l.hourReset(), perDay, l.dayCount(), l.dayReset()));
    }
    RateLimitResult.Allowed a = (RateLimitResult.Allowed) r;
    return windows(now, perHour, a.hourCount(), a.hourReset(), perDay, a.dayCount(), a.dayReset());
  }

  private static RateLimits windows(
      Instant now,
      long perHour,
      long hourCount,
      Instant hourReset,
      long perDay,
      long dayCount,
      Instant dayReset) {
    return new RateLimits(
        java.util.List.of(
            new RateLimits.Window(
                "hour",
                perHour,
                3600,
                Math.max(0, perHour - hourCount),
                Math.max(0, Duration.between(now, hourReset).toSeconds())),
            new RateLimits.Window(
                "day",
                perDay,
                86400,
                Math.max(0, perDay - dayCount),
                Math.max(0, Duration.between(now, dayReset).toSeconds()))));
  }

  private void refund(String ip, String rid, long countedAtMs) {
    try {
      store.limits().rateLimitRefund(ip, rid, Instant.ofEpochMilli(countedAtMs));
    } catch (RuntimeException e) {
      LOG.warnf("rate-limit refund of %s failed: %s", rid, e.toString());
    }
  }

  /**
   * The attempt a call with an Idempotency-Key continues. An attempt answered 503 was closed
   * unserved ({@code abandon_request}, {@link #NOT_PUBLISHED}: "nothing will be served for this
   * request"), so a retry of the key must be able to get a demo: it goes on as the next attempt,
   * whose request id is derived from the closed one ({@link IdempotencyKeys#nextAttempt}), with the
   * same access token. The closed attempt stays closed (its message, if stored after all, is still
   * refused), the new one is a request of its own (its own rate-limit count and JetStream msg id),
   * and a repeat of the retry derives the same id again and lands on it. Every other outcome (held,
   * queued, expired, failed for another reason) is the key's answer as before.
   */
  private Ticket currentAttempt(Ticket key) {
    Ticket t = key;
    for (int n = 0; n < IdempotencyKeys.MAX_ATTEMPTS; n++) {
      Optional<RequestRecord> rec = store.request(t.requestId());
      if (rec.isEmpty()
          || rec.get().state() != RequestState.FAILED
          || !NOT_PUBLISHED.equals(rec.get().endedReason())
          || !AccessTokens.matches(t.accessToken(), rec.get().ownerTokenHash())) {
        return t;
      }
      t = new Ticket(idempotency.nextAttempt(t.requestId()), t.accessToken());
    }
    throw closed();
  }

  /**
   * The answer for a request the store already knows (a retry with the same Idempotency-Key, or a
   * reply that did not arrive in time).
   */
  private Optional<Result> fromStore(String rid, String token, RateLimits rl) {
    Optional<RequestRecord> rec = store.request(rid);
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    RequestRecord r = rec.get();
    if (!AccessTokens.matches(token, r.ownerTokenHash())) {
      // Only a holder of the gateway secret could derive a colliding id: refuse, reveal nothing.
      throw Refusal.of(Refusal.Reason.IDEMPOTENCY_CONFLICT, "this Idempotency-Key cannot be used");
    }
    return switch (r.state()) {
      case QUEUED ->
          Optional.of(
              new Waiting(rid, WaitState.QUEUED, r.template(), r.position(), null, token, rl));
      case ASSIGNED -> {
        if (r.checking()) {
          // its claim check (on-claim hook) has not passed yet: not shown until it has
          yield Optional.of(
              new Waiting(rid, WaitState.PENDING, r.template(), null, null, token, rl));
        }
        Instance i = store.instance(r.instanceId()).orElseThrow(Acquirer::closed);
        if (i.state() != io.trynow.model.InstanceState.ASSIGNED) {
          throw closed();
        }
        yield Optional.of(new Assigned(rid, new Demo.Stored(i), token, rl));
      }
      case UNAVAILABLE -> throw templateUnavailable(5);
      case FAILED, EXPIRED -> throw closed();
    };
  }

  /** 503: the template's failure circuit is open and nothing is ready (no queue slot given). */
  private static Refusal templateUnavailable(long retryAfterSeconds) {
    return Refusal.of(
            Refusal.Reason.TEMPLATE_UNAVAILABLE,
            "this template cannot be served right now; try again later")
        .retryAfter(Math.max(1, retryAfterSeconds));
  }

  private static Refusal closed() {
    return Refusal.of(
        Refusal.Reason.REQUEST_CLOSED,
        "this request has ended (expired or failed); ask again with a new Idempotency-Key");
  }

  private static long retryAfterFull(TemplatesConfig.Template tpl) {
    return Math.max(5, Math.min(300, tpl.healthTimeout().toSeconds()));
  }
}
