package io.trynow.pool.acquire;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.VisitorFields;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.platform.warmup.WarmUpConfig;
import io.trynow.pool.config.PoolSettings;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * The startup warm-up of the acquire path ({@link WarmUp}, {@code trynow.warm-up.*}); the readiness
 * check {@code warm-up} ({@link WarmUpReadinessCheck}) stays DOWN until it has run. Each round is
 * an acquire as it reaches pool-service, for one template (in turn), without changing anything: a
 * JetStream publish of the request (PubAck on the shared inbox) to a stream of the warm-up's own
 * ({@code TRYNOW_WARM_UP_<nuid>}, in memory, deleted afterwards), delivered by a consumer started
 * exactly as the acquire consumer is ({@link Consumers}, the acquire consumer's settings: pull,
 * handler thread, ack) to a handler that does what {@link AcquireHandler} does around its one state
 * change: the request's JSON and its checks, the visitor-field validation, one store read of a
 * request that does not exist (the same client, function call and decoding as the acquire), the
 * reply's JSON and its core publish to the round trip's inbox. Where the stream cannot be made (no
 * JetStream rights), the same steps run without the stream: the reply to an inbox nobody listens
 * on.
 */
@Singleton
public class AcquireWarmUp {

  private static final Logger LOG = Logger.getLogger(AcquireWarmUp.class);

  private static final String TOKEN_HASH = "0".repeat(64);

  /** How long a round waits for its reply (the first also for the warm-up consumer to start). */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final PoolSettings settings;
  private final Store store;
  private final NatsClient nats;
  private final Consumers consumers;
  private final Publisher publisher;
  private final MeterRegistry meters;
  private final WarmUp warmUp;
  private final AtomicInteger consumed = new AtomicInteger();
  private volatile String failure;

  /** The handler's answer when its steps failed (no request id: the round fails on it). */
  private static final byte[] FAILED = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  public AcquireWarmUp(
      PoolSettings settings,
      Store store,
      NatsClient nats,
      Consumers consumers,
      Publisher publisher,
      MeterRegistry meters,
      WarmUpConfig config) {
    this.settings = settings;
    this.store = store;
    this.nats = nats;
    this.consumers = consumers;
    this.publisher = publisher;
    this.meters = meters;
    this.warmUp = new WarmUp("the acquire path", config);
  }

  /** Runs the warm-up on the calling thread (a worker, not an event loop). */
  public WarmUp.Result run() {
    List<Map.Entry<String, TemplatesConfig.Template>> templates =
        List.copyOf(settings.templates().entrySet());
    if (templates.isEmpty() || warmUp.done()) {
      return warmUp.run(round -> {});
    }
    Connection c;
    try {
      c = nats.awaitConnection();
    } catch (IllegalStateException e) {
      LOG.infof("warm-up without NATS: %s", e.getMessage());
      return warmUp.run(round -> {});
    }
    String id = NUID.nextGlobal();
    String stream = "TRYNOW_WARM_UP_" + id;
    String subject = "trynow-warm-up." + id;
    JetStreamManagement jsm;
    try {
      jsm = c.jetStreamManagement();
      jsm.addStream(
          StreamConfiguration.builder()
              .name(stream)
              .subjects(subject)
              .storageType(StorageType.Memory)
              .maxAge(Duration.ofMinutes(5))
              .build());
    } catch (Exception e) {
      LOG.infof("warm-up without its stream (%s): the handler's steps only", e.toString());
      String inbox = "_INBOX." + id + ".warm-up";
      return warmUp.run(round -> {
        Map.Entry<String, TemplatesConfig.Template> t = templates.get(round % templates.size());
        String requestId = Ids.newRequestId();
        byte[] wire = Json.write(request(requestId, t.getKey()));
        Headers headers = new Headers();
        headers.put(io.trynow.model.Headers.REQUEST_ID, requestId);
        handle(Json.read(wire, AcquireRequest.class), r -> c.publish(inbox, headers, r));
      });
    }
    String durable = "warm-up-" + id;
    LoopHandle loop =
        consumers.consume(
            ConsumerSpec.builder(stream, durable, subject)
                .settings(settings.config().acquireConsumer())
                .build(),
            this::handle);
    try {
      return warmUp.run(round -> {
        String template = templates.get(round % templates.size()).getKey();
        String requestId = Ids.newRequestId();
        Headers headers = new Headers();
        headers.put(io.trynow.model.Headers.REQUEST_ID, requestId);
        Optional<Message> reply =
            publisher.publishWithHeadersAndAwaitReply(
                subject,
                requestId,
                headers,
                Json.write(request(requestId, template)),
                CALL_TIMEOUT,
                at -> {});
        if (reply.isEmpty()) {
          throw new IllegalStateException("no reply from the warm-up's consumer");
        }
        if (!requestId.equals(
            Json.read(reply.get().getData(), io.trynow.model.AcquireReply.class).requestId())) {
          throw new IllegalStateException("the warm-up's handler failed: " + failure);
        }
      });
    } finally {
      loop.stop(Duration.ofSeconds(2));
      try {
        jsm.deleteStream(stream);
      } catch (Exception e) {
        LOG.warnf("warm-up stream %s not deleted (it expires): %s", stream, e.toString());
      }
      // its consumer's gauges and timers, its publishes' counter: none outlives the warm-up
      meters.getMeters().stream()
          .filter(m ->
              durable.equals(m.getId().getTag(MetricNames.TAG_CONSUMER))
                  || stream.equals(m.getId().getTag(MetricNames.TAG_STREAM)))
          .toList()
          .forEach(meters::remove);
    }
  }

  private static AcquireRequest request(String requestId, String template) {
    return new AcquireRequest(
        requestId, template, "127.0.0.1", TOKEN_HASH, System.currentTimeMillis(), null);
  }

  /** The warm-up consumer's handler: the acquire handler's steps, its reply on the round trip. */
  private Outcome handle(Delivery d) {
    consumed.incrementAndGet();
    try {
      handle(d.json(AcquireRequest.class), r -> publisher.reply(d, r));
    } catch (Exception e) {
      // never retried nor dead-lettered: the round fails on this answer and the warm-up ends
      failure = e.toString();
      publisher.reply(d, FAILED);
    }
    return Outcome.done();
  }

  private void handle(AcquireRequest req, java.util.function.Consumer<byte[]> reply)
      throws Exception {
    Ids.requireRequest(req.requestId());
    Ids.requireTemplate(req.template());
    TemplatesConfig.Template tpl =
        settings
            .template(req.template())
            .orElseThrow(
                () -> new IllegalStateException("template " + req.template() + " vanished"));
    Map<String, Object> fields = VisitorFields.validate(tpl.fields(), req.fields());
    if (!fields.isEmpty()) {
      Json.MAPPER.writeValueAsString(fields);
    }
    if (store.request(req.requestId()).isPresent()) {
      throw new IllegalStateException("a fresh request id " + req.requestId() + " exists");
    }
    reply.accept(
        Json.write(AcquireHandler.reply(req, AcquireOutcome.QUEUED, 1L, 1L, null, "warm-up")));
  }

  /** Warm-up acquires that went through the warm-up's consumer (its JetStream delivery). */
  public int consumed() {
    return consumed.get();
  }

  /** The readiness check's view: DOWN until the warm-up has run. */
  public HealthCheckResponse health() {
    return warmUp.readiness();
  }
}
