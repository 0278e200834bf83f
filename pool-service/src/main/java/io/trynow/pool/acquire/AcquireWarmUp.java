package io.trynow.pool.acquire;

import io.nats.client.Connection;
import io.nats.client.NUID;
import io.nats.client.impl.Headers;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.VisitorFields;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.platform.warmup.WarmUpConfig;
import io.trynow.pool.config.PoolSettings;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The startup warm-up of the acquire path ({@link WarmUp}, {@code trynow.warm-up.*}); the readiness
 * check {@code warm-up} ({@link WarmUpReadinessCheck}) stays DOWN until it has run. Each round
 * does, for one template (in turn), what {@link AcquireHandler} does around its one state change,
 * without changing anything: the request's JSON both ways and its checks, the visitor-field
 * validation, one store read of a request that does not exist (the same client, function call and
 * decoding as the acquire), the reply's JSON, and a core publish of it with its headers to an inbox
 * nobody listens on.
 */
@Singleton
public class AcquireWarmUp {

  private static final String TOKEN_HASH = "0".repeat(64);

  private final PoolSettings settings;
  private final Store store;
  private final NatsClient nats;
  private final WarmUp warmUp;

  public AcquireWarmUp(PoolSettings settings, Store store, NatsClient nats, WarmUpConfig config) {
    this.settings = settings;
    this.store = store;
    this.nats = nats;
    this.warmUp = new WarmUp("the acquire path", config);
  }

  /** Runs the warm-up on the calling thread (a worker, not an event loop). */
  public WarmUp.Result run() {
    String inbox = "_INBOX." + NUID.nextGlobal() + ".warm-up";
    List<Map.Entry<String, TemplatesConfig.Template>> templates =
        List.copyOf(settings.templates().entrySet());
    if (templates.isEmpty()) {
      return warmUp.run(round -> {});
    }
    return warmUp.run(round -> {
      Map.Entry<String, TemplatesConfig.Template> t = templates.get(round % templates.size());
      once(nats.awaitConnection(), inbox, t.getKey(), t.getValue());
    });
  }

  private void once(Connection c, String inbox, String template, TemplatesConfig.Template tpl)
      throws Exception {
    String requestId = Ids.newRequestId();
    byte[] wire =
        Json.write(
            new AcquireRequest(
                requestId, template, "127.0.0.1", TOKEN_HASH, System.currentTimeMillis(), null));
    AcquireRequest req = Json.read(wire, AcquireRequest.class);
    Ids.requireRequest(req.requestId());
    Ids.requireTemplate(req.template());
    if (settings.template(req.template()).isEmpty()) {
      throw new IllegalStateException("template " + template + " vanished");
    }
    Map<String, Object> fields = VisitorFields.validate(tpl.fields(), req.fields());
    if (!fields.isEmpty()) {
      Json.MAPPER.writeValueAsString(fields);
    }
    if (store.request(requestId).isPresent()) {
      throw new IllegalStateException("a fresh request id " + requestId + " exists");
    }
    Headers headers = new Headers();
    headers.put(io.trynow.model.Headers.REQUEST_ID, requestId);
    c.publish(
        inbox,
        headers,
        Json.write(AcquireHandler.reply(req, AcquireOutcome.QUEUED, 1L, 1L, null, "warm-up")));
  }

  /** The readiness check's view: DOWN until the warm-up has run. */
  public HealthCheckResponse health() {
    return warmUp.readiness();
  }
}
