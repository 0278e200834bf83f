package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.view.Views;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireReply;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireReadyResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.platform.warmup.WarmUpConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The startup warm-up of {@code POST /v1/demos} ({@link WarmUp}, {@code trynow.warm-up.*}), run as
 * soon as the public listener accepts connections; readiness {@code warm-up} stays DOWN until it
 * has run. The first visitor's request otherwise pays for the HTTP stack's first use (routing, body
 * and problem JSON), the JSON of the answer, the first store calls and the first publish round
 * trip: ~0.8 s of a ~1 s first request measured on the loaded machine ({@code ./trynow bench
 * sparse}) before there was a warm-up. Each round changes nothing and counts no acquire: one {@code
 * GET /v1/demos/<fresh id>} through the real listener (a store read, then 404 problem JSON); the
 * acquire body read; the acquire's asynchronous path as the event loop runs it: a store read on the
 * async client, then {@link Publisher#publishWithHeadersAndAwaitReplyAsync} (the very round trip of
 * an acquire: PubAck and reply awaited on the shared inbox, no thread waiting) to an inbox subject
 * of the warm-up's own, where a responder of the warm-up answers as JetStream and pool-service
 * would (a PubAck of stream {@code trynow-warm-up}, whose publish counter is removed afterwards, an
 * assigned reply); the reply read and a demo answer written with the application's JSON mapper; an
 * access token minted and hashed; a {@code POST /v1/demos} through the acquire's route ({@link
 * AcquireRoute}) whose body has an unknown field (read, parsed, refused before anything is
 * counted); a warm hit rehearsed through the listener and that route ({@link WarmUpPass}: the
 * acquire's checks, ticket and token hash, {@code acquire_ready} on the loop's own Valkey
 * connection with quotas of 0, the windows, a stand-in demo's 201 with its headers: no instance
 * claimed, nothing counted); {@code acquire_ready} from the next event loop with quotas of 0
 * (refused before it writes anything), so each loop's own Valkey connection and the call are warm.
 */
@Readiness
@Singleton
public class AcquireWarmUp implements HealthCheck {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(AcquireWarmUp.class);

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  /** How long the warm-up waits for the public listener (then it warms the in-process parts). */
  private static final Duration LISTENER_WAIT = Duration.ofSeconds(30);

  /** The PubAck the warm-up's responder answers with (a stream no service declares). */
  static final String WARM_UP_STREAM = "trynow-warm-up";

  private static final byte[] PUB_ACK =
      ("{\"stream\":\"" + WARM_UP_STREAM + "\",\"seq\":1}").getBytes(StandardCharsets.UTF_8);

  private final WarmUp warmUp;
  private final Store store;
  private final Views views;
  private final ObjectMapper mapper;
  private final List<String> templates;
  private final TemplatesConfig templateConfig;
  private final Publisher publisher;
  private final NatsClient nats;
  private final io.micrometer.core.instrument.MeterRegistry meters;
  private final io.vertx.core.Vertx vertx;
  private final WarmUpPass pass;

  /** The template a round rehearses when its own needs visitor fields; null: none can be. */
  private final String rehearsable;

  private volatile int roundTrips;
  private volatile int rehearsals;

  public AcquireWarmUp(
      WarmUpConfig config,
      Store store,
      Views views,
      ObjectMapper mapper,
      TemplatesConfig templates,
      Publisher publisher,
      NatsClient nats,
      io.micrometer.core.instrument.MeterRegistry meters,
      io.vertx.core.Vertx vertx,
      WarmUpPass pass) {
    this.warmUp = new WarmUp("POST /v1/demos", config);
    this.store = store;
    this.views = views;
    this.mapper = mapper;
    this.templates = List.copyOf(templates.templates().keySet());
    this.templateConfig = templates;
    this.publisher = publisher;
    this.nats = nats;
    this.meters = meters;
    this.vertx = vertx;
    this.pass = pass;
    this.rehearsable = this.templates.stream().filter(this::rehearsable).findFirst().orElse(null);
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    if (warmUp.done()) {
      return; // off (trynow.warm-up.rounds=0)
    }
    // once, under the supervisor (a period no service outlives), off the startup thread: the
    // listener opens after the startup observers
    supervisor.every("warm-up", Duration.ofDays(3650), () -> run(awaitListener()));
  }

  /** The public listener's port once it accepts connections; 0 if it does not within the bound. */
  static int awaitListener() {
    long deadline = System.nanoTime() + LISTENER_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      int port = listenerPort();
      if (port > 0) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          return port;
        } catch (IOException e) {
          // not listening yet
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return 0;
  }

  /** Quarkus publishes the port it got (a random one in tests) as a system property. */
  private static int listenerPort() {
    String key =
        LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
    Integer published = Integer.getInteger(key);
    if (published != null) {
      return published;
    }
    return ConfigProvider.getConfig().getOptionalValue(key, Integer.class).orElse(0);
  }

  /**
   * Runs the warm-up against the listener on {@code port} (0: the in-process parts only). Without
   * NATS (not connected within its connect timeout) the round trip is left out.
   */
  public WarmUp.Result run(int port) {
    Connection c = null;
    Dispatcher responder = null;
    String subject = null;
    try {
      c = nats.awaitConnection();
      Connection conn = c;
      responder = c.createDispatcher(m -> answer(conn, m));
      String s = "_INBOX." + NUID.nextGlobal() + ".warm-up";
      responder.subscribe(s);
      c.flush(CALL_TIMEOUT); // the responder listens before the first round trip
      subject = s;
    } catch (RuntimeException | java.util.concurrent.TimeoutException e) {
      LOG.infof("warm-up without the publish round trip (NATS: %s)", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    WarmUpHttp http = new WarmUpHttp(port);
    ExecutorService blocking =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("warm-up-", 0).factory());
    String to = subject;
    String passHeader = WarmUpPass.HEADER + ": " + pass.open() + "\r\n";
    try (http;
        blocking) {
      return warmUp.run(round -> once(http, port, to, blocking, round, passHeader));
    } finally {
      pass.close(); // no rehearsal after the warm-up
      if (responder != null) {
        c.closeDispatcher(responder);
      }
      // the publish counter of the responder's "stream" does not outlive the warm-up
      meters.getMeters().stream()
          .filter(m -> WARM_UP_STREAM.equals(m.getId().getTag("stream")))
          .toList()
          .forEach(meters::remove);
    }
  }

  /**
   * The responder: answers a warm-up publish as JetStream (a PubAck) and pool-service (an assigned
   * reply on its {@code Trynow-Reply-To} inbox) would.
   */
  private static void answer(Connection c, Message m) {
    c.publish(m.getReplyTo(), PUB_ACK);
    String to = m.getHeaders().getFirst(Headers.REPLY_TO);
    String rid = m.getHeaders().getFirst(Headers.REQUEST_ID);
    AcquireRequest req = Json.read(m.getData(), AcquireRequest.class);
    long now = System.currentTimeMillis();
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(Headers.REQUEST_ID, rid);
    c.publish(
        to,
        h,
        Json.write(
            new AcquireReply(
                req.requestId(),
                AcquireOutcome.ASSIGNED,
                Ids.newInstanceId(),
                req.template(),
                "http://warm-up.invalid/",
                now + 60_000,
                now + 120_000,
                null,
                null,
                null)));
  }

  private void once(
      WarmUpHttp http,
      int port,
      String subject,
      ExecutorService blocking,
      int round,
      String passHeader)
      throws Exception {
    String template = templates.isEmpty() ? "hello" : templates.get(round % templates.size());
    if (port > 0) {
      int status = http.get("/v1/demos/" + Ids.newInstanceId());
      if (status != 404) {
        throw new IllegalStateException("GET of an unknown demo answered " + status);
      }
      // the acquire's own route (AcquireRoute): body read and parsed, refused as a body with an
      // unknown field before anything is counted, problem written
      status = http.postJson("/v1/demos", "{\"template\":\"" + template + "\",\"warm_up\":1}");
      if (status != 400) {
        throw new IllegalStateException("POST of an unknown field answered " + status);
      }
      // a warm hit as a visitor's takes it, rehearsed (WarmUpPass): the route, the acquire's
      // checks, acquire_ready with quotas of 0, a stand-in demo's 201 and its headers
      String rehearsed = rehearsable(template) ? template : rehearsable;
      if (rehearsed != null) {
        status = http.postJson("/v1/demos", "{\"template\":\"" + rehearsed + "\"}", passHeader);
        if (status != 201) {
          throw new IllegalStateException("the rehearsal of a warm hit answered " + status);
        }
        rehearsals++;
      }
    }
    AcquireBody body =
        mapper.readValue(
            ("{\"template\":\"" + template + "\"}").getBytes(StandardCharsets.UTF_8),
            AcquireBody.class);
    String requestId = Ids.newRequestId();
    String token = AccessTokens.newToken();
    String tokenHash = AccessTokens.hash(token);
    acquireReady(template, requestId, tokenHash);
    if (store.requestAsync(requestId).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent()) {
      throw new IllegalStateException("a fresh request id " + requestId + " exists");
    }
    long now = System.currentTimeMillis();
    AcquireReply reply;
    if (subject == null) {
      reply =
          Json.read(
              Json.write(
                  new AcquireReply(
                      requestId,
                      AcquireOutcome.ASSIGNED,
                      Ids.newInstanceId(),
                      body.template(),
                      "http://warm-up.invalid/",
                      now + 60_000,
                      now + 120_000,
                      null,
                      null,
                      null)),
              AcquireReply.class);
    } else {
      io.nats.client.impl.Headers headers = new io.nats.client.impl.Headers();
      headers.put(Headers.REQUEST_ID, requestId);
      byte[] payload =
          Json.write(
              new AcquireRequest(requestId, body.template(), "127.0.0.1", tokenHash, now, null));
      Optional<Message> m =
          publisher
              .publishWithHeadersAndAwaitReplyAsync(
                  subject, requestId, headers, payload, CALL_TIMEOUT, at -> {}, blocking)
              .get(CALL_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
      if (m.isEmpty()) {
        throw new IllegalStateException("no reply to the warm-up's round trip");
      }
      reply = Json.read(m.get().getData(), AcquireReply.class);
      roundTrips++;
    }
    mapper.writeValueAsBytes(views.demo(reply, token));
  }

  /**
   * The acquire's store call ({@code acquire_ready}) as an acquire makes it: from an event loop
   * (each round the next one), over that loop's own Valkey connection, its answer parsed. With
   * quotas of 0 the function refuses before it writes anything ({@code limited}: nothing counted,
   * nothing assigned).
   */
  private void acquireReady(String template, String requestId, String tokenHash) throws Exception {
    TemplatesConfig.Template tpl = templateConfig.templates().get(template);
    if (tpl == null) {
      return;
    }
    AcquireArgs args =
        new AcquireArgs(
            requestId,
            template,
            tokenHash,
            "127.0.0.1",
            tpl.defaultTtl(),
            tpl.maxLifetime(),
            tpl.maxQueue(),
            0,
            null,
            tpl.checksClaims());
    java.util.concurrent.CompletableFuture<AcquireReadyResult> done =
        new java.util.concurrent.CompletableFuture<>();
    ((io.vertx.core.impl.VertxInternal) vertx)
        .createEventLoopContext() // the next event loop, round robin
        .runOnContext(v ->
            store
                .requests()
                .acquireReadyAsync(args, 0, 0)
                .whenComplete((r, failure) -> {
                  if (failure != null) {
                    done.completeExceptionally(failure);
                  } else {
                    done.complete(r);
                  }
                }));
    AcquireReadyResult r = done.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!(r instanceof AcquireReadyResult.Limited)) {
      throw new IllegalStateException("acquire_ready with no quota answered " + r);
    }
  }

  /** Round trips through the publisher's asynchronous path done by warm-ups of this instance. */
  public int roundTrips() {
    return roundTrips;
  }

  /** A template whose acquire needs no visitor field (a body of the template alone is whole). */
  private boolean rehearsable(String template) {
    TemplatesConfig.Template tpl = templateConfig.templates().get(template);
    return tpl != null && tpl.fields().values().stream().noneMatch(f -> f.required());
  }

  /** Warm hits rehearsed through the listener by warm-ups of this instance ({@link WarmUpPass}). */
  public int rehearsals() {
    return rehearsals;
  }

  /** What the startup warm-up did, or null while it runs. */
  public WarmUp.Result result() {
    return warmUp.result();
  }

  @Override
  public HealthCheckResponse call() {
    return warmUp.readiness();
  }
}
