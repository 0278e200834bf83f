package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.events.StreamWarmUp;
import io.trynow.gateway.view.QueuedView;
import io.trynow.gateway.view.Views;
import io.trynow.model.Ids;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.platform.warmup.WarmUpConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The startup warm-up of what a queued visitor meets ({@link WarmUp}, {@code trynow.warm-up.*};
 * readiness {@code warm-up-queued} stays DOWN until it has run), beside {@link AcquireWarmUp},
 * which walks the warm hit. A flash crowd is where the gateway met these paths for the first time:
 * with the AOT cache, the gateway's compilers still used 0.4-0.9 CPU-s of each crowd (bench crowd,
 * JFR of the compilations: the ClassFile API spinning classes for Jackson's first look at the event
 * and answer types, Quarkus REST's resource path, the JetStream consumer's creation, the event
 * views), on the two cores the Docker engine needed for the queued visitors' containers
 * (docs/ARCHITECTURE.md "Flash crowds"). And the first {@code up} of a build records the AOT cache
 * from what the services ran: what the warm-up runs is in the cache, linked.
 *
 * <p>Each round changes nothing: a 202's body ({@link Views#queued}, its status and events URLs
 * with a ticket) for a fresh request id, written with the application's JSON mapper; that request's
 * status read through the real listener ({@code GET /v1/requests/<id>?ticket=…}: a store read, the
 * ticket checked, 200 {@code pending}, the status view written by Quarkus REST); its event stream's
 * parts ({@link StreamWarmUp}: the feed opened and closed, each event kind read and written). A
 * stream itself is not opened: it holds an SSE slot in Valkey and ends only at its heartbeat (15 s)
 * for a request that never existed.
 */
@Readiness
@Singleton
public class CrowdWarmUp implements HealthCheck {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(CrowdWarmUp.class);

  static final String CHECK = "warm-up-queued";

  /** Rounds that also open and close a request's feed (a JetStream consumer each). */
  static final int FEED_ROUNDS = 3;

  private final WarmUp warmUp;
  private final Views views;
  private final ObjectMapper mapper;
  private final List<String> templates;
  private final NatsClient nats;
  private volatile int statusReads;
  private volatile int feeds;

  public CrowdWarmUp(
      WarmUpConfig config,
      Views views,
      ObjectMapper mapper,
      TemplatesConfig templates,
      NatsClient nats) {
    this.warmUp = new WarmUp("a queued visitor", config);
    this.views = views;
    this.mapper = mapper;
    this.templates = List.copyOf(templates.templates().keySet());
    this.nats = nats;
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    if (warmUp.done()) {
      return; // off (trynow.warm-up.rounds=0)
    }
    supervisor.every(
        "crowd-warm-up", Duration.ofDays(3650), () -> run(AcquireWarmUp.awaitListener()));
  }

  /**
   * Runs the warm-up against the listener on {@code port} (0: the in-process parts only). Without
   * NATS (not connected within its connect timeout) the feed is left out.
   */
  public WarmUp.Result run(int port) {
    Connection c = null;
    try {
      c = nats.awaitConnection();
    } catch (RuntimeException e) {
      LOG.infof("warm-up without the event feed (NATS: %s)", e.toString());
    }
    Connection conn = c;
    try (WarmUpHttp http = new WarmUpHttp(port)) {
      return warmUp.run(round -> once(http, port, conn, round));
    }
  }

  private void once(WarmUpHttp http, int port, Connection c, int round) throws Exception {
    String template = templates.isEmpty() ? "hello" : templates.get(round % templates.size());
    String rid = Ids.newRequestId();
    QueuedView queued = views.queued(rid, "queued", template, 3L, 9L, AccessTokens.newToken());
    mapper.writeValueAsBytes(queued);
    if (port > 0) {
      String url = queued.statusUrl();
      String path = url.substring(url.indexOf("/v1/requests/"));
      int status = http.get(path);
      if (status != 200) {
        throw new IllegalStateException("status read of a fresh request answered " + status);
      }
      statusReads++;
    }
    StreamWarmUp.run(round < FEED_ROUNDS ? c : null, rid, template);
    if (c != null && round < FEED_ROUNDS) {
      feeds++;
    }
  }

  /** Status reads through the listener done by warm-ups of this instance. */
  public int statusReads() {
    return statusReads;
  }

  /** Request feeds opened (and closed) by warm-ups of this instance. */
  public int feeds() {
    return feeds;
  }

  /** What the startup warm-up did, or null while it runs. */
  public WarmUp.Result result() {
    return warmUp.result();
  }

  /** Readiness {@code warm-up-queued}: DOWN while it runs, then UP with its rounds and ms. */
  @Override
  public HealthCheckResponse call() {
    return warmUp.readiness(CHECK);
  }
}
