package io.trynow.pool.acquire;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireReply;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.MessageHandler;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AbandonResult;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.VisitorFields;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolEvents;
import io.trynow.pool.queue.EtaEstimator;
import io.trynow.pool.replenish.Replenisher;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Handles {@code trynow.acquire.<template>}: one store call takes a ready instance or queues the
 * request (idempotent per request id, so a redelivery answers the same), then the gateway gets its
 * reply, and only then are events published and the replenisher woken.
 */
@Singleton
public class AcquireHandler implements MessageHandler {

  private static final Logger LOG = Logger.getLogger(AcquireHandler.class);

  /** The ended reason of a request that reached pool-service after its queue timeout. */
  static final String TOO_LATE = "too_late";

  private final Store store;
  private final Publisher publisher;
  private final PoolSettings settings;
  private final PoolEvents events;
  private final EtaEstimator eta;
  private final Replenisher replenisher;
  private final PoolMetrics metrics;
  private final Claims claims;

  public AcquireHandler(
      Store store,
      Publisher publisher,
      PoolSettings settings,
      PoolEvents events,
      EtaEstimator eta,
      Replenisher replenisher,
      PoolMetrics metrics,
      Claims claims) {
    this.claims = claims;
    this.store = store;
    this.publisher = publisher;
    this.settings = settings;
    this.events = events;
    this.eta = eta;
    this.replenisher = replenisher;
    this.metrics = metrics;
  }

  @Override
  public Outcome handle(Delivery d) {
    AcquireRequest req;
    try {
      req = d.json(AcquireRequest.class);
      Ids.requireRequest(req.requestId());
      Ids.requireTemplate(req.template());
    } catch (IllegalArgumentException | NullPointerException e) {
      return Outcome.giveUp("malformed acquire request: " + e.getMessage());
    }
    TemplatesConfig.Template tpl = settings.template(req.template()).orElse(null);
    if (tpl == null) {
      reply(d, failed(req, "unknown template"));
      return Outcome.giveUp("unknown template " + req.template());
    }
    try {
      return handle(d, req, tpl);
    } catch (StoreException e) {
      LOG.warnf("acquire %s: store unavailable (%s); retrying", req.requestId(), e.getMessage());
      return Outcome.retryLater("store unavailable");
    }
  }

  private Outcome handle(Delivery d, AcquireRequest req, TemplatesConfig.Template tpl) {
    String fieldsJson;
    try {
      Map<String, Object> fields = VisitorFields.validate(tpl.fields(), req.fields());
      fieldsJson = fields.isEmpty() ? null : Json.MAPPER.writeValueAsString(fields);
    } catch (VisitorFields.InvalidField | JsonProcessingException e) {
      // The gateway checks the same schema first: only a message not from a gateway gets here.
      refund(req);
      reply(d, failed(req, "invalid visitor fields"));
      return Outcome.giveUp("invalid visitor fields: " + e.getMessage());
    }
    long start = System.nanoTime();
    Instant started = Instant.now();
    long now = started.toEpochMilli();
    Duration queueTimeout = settings.config().queueTimeout();
    if (now - req.requestedAtMs() > queueTimeout.toMillis()
        && store
                .requests()
                .abandon(
                    req.requestId(),
                    req.template(),
                    req.ownerTokenHash(),
                    req.clientIp(),
                    RequestState.EXPIRED,
                    TOO_LATE)
            instanceof AbandonResult.Abandoned) {
      // Sat in the stream longer than anyone would wait (pool-service was down): do not hand a
      // demo to a visitor who left; the request is closed (its status says expired, a redelivery
      // is refused) and the slot given back. One handled before is answered as a repeat below.
      refund(req);
      reply(d, reply(req, AcquireOutcome.EXPIRED, null, null, null, "the request waited too long"));
      events.expired(req.requestId(), req.template());
      return Outcome.done();
    }
    // a replenish run may see the queued request before this handler wakes it: its provisions
    // belong to this acquire's trace all the same
    replenisher.noteAsker(req.template());
    AcquireResult r =
        store
            .requests()
            .acquire(
                new AcquireArgs(
                    req.requestId(),
                    req.template(),
                    req.ownerTokenHash(),
                    req.clientIp(),
                    tpl.defaultTtl(),
                    tpl.maxLifetime(),
                    tpl.maxQueue(),
                    req.maxLivePerIp(),
                    fieldsJson,
                    tpl.checksClaims()));
    long stored = System.nanoTime();
    switch (r) {
      case AcquireResult.Assigned a -> {
        Instance i = claims.checked(req.requestId(), req.template(), tpl, a.instance(), fieldsJson);
        if (i == null) {
          answerFromStore(d, req, now);
          replenisher.wake(req.template());
          return Outcome.done();
        }
        reply(d, assigned(req, i));
        metrics.stages(
            Duration.between(d.storedAt(), started).toNanos(),
            start - d.receivedNanos(),
            stored - start,
            System.nanoTime() - start);
        if (!a.repeat() || d.deliveryCount() > 1) {
          // A redelivery may follow a crash before the events went out; their msg ids dedup.
          events.assigned(i, req.requestId());
        }
        replenisher.wake(req.template());
      }
      case AcquireResult.Queued q -> {
        long etaSeconds = eta.etaSeconds(req.template(), q.position(), now);
        reply(d, reply(req, q.outcome(), q.position(), etaSeconds, null, null));
        if (!q.repeat()) {
          events.queued(req.requestId(), req.template(), q.position(), etaSeconds);
        }
        replenisher.wake(req.template());
      }
      case AcquireResult.QueueFull f -> {
        refund(req);
        reply(d, reply(req, f.outcome(), null, null, null, "capacity and queue are full"));
      }
      case AcquireResult.LimitExceeded l -> {
        refund(req);
        reply(d, reply(req, l.outcome(), null, null, null, "live demo limit per address"));
      }
      case AcquireResult.Unavailable u -> {
        refund(req);
        reply(
            d,
            reply(
                req,
                u.outcome(),
                null,
                Math.max(1, u.retryAfter().toSeconds()),
                null,
                "the template cannot be served right now"));
      }
      case AcquireResult.Closed c -> {
        reply(d, reply(req, c.outcome(), null, null, null, "the request has ended"));
      }
    }
    return Outcome.done();
  }

  /** The request's state as stored: assigned (its instance) or queued (its position). */
  private void answerFromStore(Delivery d, AcquireRequest req, long now) {
    RequestRecord rec = store.request(req.requestId()).orElse(null);
    if (rec != null && rec.state() == RequestState.QUEUED) {
      long etaSeconds = eta.etaSeconds(req.template(), rec.position(), now);
      reply(d, reply(req, AcquireOutcome.QUEUED, rec.position(), etaSeconds, null, null));
      events.queued(req.requestId(), req.template(), rec.position(), etaSeconds);
      return;
    }
    if (rec != null && rec.state() == RequestState.ASSIGNED && rec.instanceId() != null) {
      Instance i = store.instance(rec.instanceId()).orElse(null);
      if (i != null && i.state() == InstanceState.ASSIGNED) {
        reply(d, assigned(req, i));
        events.assigned(i, req.requestId());
        return;
      }
    }
    reply(d, failed(req, "the request changed while it was being served"));
  }

  private void refund(AcquireRequest req) {
    try {
      store
          .limits()
          .rateLimitRefund(
              req.clientIp(), req.requestId(), Instant.ofEpochMilli(req.requestedAtMs()));
    } catch (RuntimeException e) {
      LOG.warnf("rate-limit refund of %s failed: %s", req.requestId(), e.toString());
    }
  }

  private void reply(Delivery d, AcquireReply reply) {
    metrics.acquire(reply.template(), reply.outcome().wire());
    try {
      publisher.reply(d, Json.write(reply));
    } catch (RuntimeException e) {
      // The gateway answers from the store instead (its wait ends without a reply).
      LOG.debugf("reply to %s not sent: %s", reply.requestId(), e.toString());
    }
  }

  private static AcquireReply assigned(AcquireRequest req, Instance i) {
    return new AcquireReply(
        req.requestId(),
        AcquireOutcome.ASSIGNED,
        i.id(),
        i.template(),
        i.url(),
        i.expiresAt() == null ? null : i.expiresAt().toEpochMilli(),
        i.maxExpiresAt() == null ? null : i.maxExpiresAt().toEpochMilli(),
        null,
        null,
        null);
  }

  static AcquireReply reply(
      AcquireRequest req,
      AcquireOutcome outcome,
      Long position,
      Long etaSeconds,
      String instanceId,
      String message) {
    return new AcquireReply(
        req.requestId(),
        outcome,
        instanceId,
        req.template(),
        null,
        null,
        null,
        position == null ? null : position.intValue(),
        etaSeconds,
        message);
  }

  private static AcquireReply failed(AcquireRequest req, String why) {
    return reply(req, AcquireOutcome.FAILED, null, null, null, why);
  }
}
