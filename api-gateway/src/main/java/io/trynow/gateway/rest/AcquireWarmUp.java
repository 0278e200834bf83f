package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.view.Views;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireReply;
import io.trynow.model.Ids;
import io.trynow.model.Json;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The startup warm-up of {@code POST /v1/demos} ({@link WarmUp}, {@code trynow.warm-up.*}), run as
 * soon as the public listener accepts connections; readiness {@code warm-up} stays DOWN until it
 * has run. The first visitor's request otherwise pays for the HTTP stack's first use (routing, the
 * blocking hand-off, body and problem JSON), the JSON of the answer and the first store calls: ~0.8
 * s of a ~1 s first request measured on the loaded machine ({@code ./trynow bench sparse}), the
 * pool's side ~40 ms. Each round changes nothing and counts no acquire: one {@code GET
 * /v1/demos/<fresh id>} through the real listener (a store read, then 404 problem JSON), the
 * acquire body read and a demo answer written with the application's JSON mapper, an access token
 * minted and hashed, a pool reply read.
 */
@Readiness
@Singleton
public class AcquireWarmUp implements HealthCheck {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  /** How long the warm-up waits for the public listener (then it warms the in-process parts). */
  private static final Duration LISTENER_WAIT = Duration.ofSeconds(30);

  private final WarmUp warmUp;
  private final Store store;
  private final Views views;
  private final ObjectMapper mapper;
  private final List<String> templates;

  public AcquireWarmUp(
      WarmUpConfig config,
      Store store,
      Views views,
      ObjectMapper mapper,
      TemplatesConfig templates) {
    this.warmUp = new WarmUp("POST /v1/demos", config);
    this.store = store;
    this.views = views;
    this.mapper = mapper;
    this.templates = List.copyOf(templates.templates().keySet());
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
  private static int awaitListener() {
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

  /** Runs the warm-up against the listener on {@code port} (0: the in-process parts only). */
  public WarmUp.Result run(int port) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CALL_TIMEOUT)
            .build();
    try (http) {
      return warmUp.run(round -> once(http, port, round));
    }
  }

  private void once(HttpClient http, int port, int round) throws Exception {
    String template = templates.isEmpty() ? "hello" : templates.get(round % templates.size());
    if (port > 0) {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/v1/demos/" + Ids.newInstanceId()))
                  .timeout(CALL_TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 404) {
        throw new IllegalStateException("GET of an unknown demo answered " + r.statusCode());
      }
    }
    AcquireBody body =
        mapper.readValue(
            ("{\"template\":\"" + template + "\"}").getBytes(StandardCharsets.UTF_8),
            AcquireBody.class);
    String requestId = Ids.newRequestId();
    String token = AccessTokens.newToken();
    AccessTokens.hash(token);
    if (store.request(requestId).isPresent()) {
      throw new IllegalStateException("a fresh request id " + requestId + " exists");
    }
    long now = System.currentTimeMillis();
    AcquireReply reply =
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
    mapper.writeValueAsBytes(views.demo(reply, token));
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
