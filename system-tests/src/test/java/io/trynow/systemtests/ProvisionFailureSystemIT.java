package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Subjects;
import io.trynow.testsupport.SampleImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A template whose image is missing, on the whole stack (issue 14): the failure circuit opens
 * (reported by the provisioner's image check, not discovered by a storm of failing provisions), at
 * most a handful of dead letters pile up in 60 s, new visitors get {@code 503 template_unavailable}
 * with {@code Retry-After}, queued visitors are told within seconds (status and SSE) instead of
 * waiting the queue timeout, and tagging the image mid-test closes the circuit, refills the pool
 * and serves visitors again.
 */
class ProvisionFailureSystemIT {

  private static final Logger LOG = Logger.getLogger(ProvisionFailureSystemIT.class);
  private static final String TEMPLATE = "fragile";
  private static final String REPO =
      "trynow/fragile-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String IMAGE = REPO + ":1";
  private static final Duration WINDOW = Duration.ofSeconds(60);

  private static Stack stack;
  private static Visitor visitor;
  private static Bus bus;
  private static Instant startedAt;

  @BeforeAll
  static void startStack() {
    SampleImage.ensureBuilt();
    startedAt = Instant.now();
    stack =
        Stacks.base("provision-failure")
            .template("hello", Map.of("image", SampleImage.IMAGE, "min-ready", "0"))
            .template(
                TEMPLATE,
                Map.of(
                    "image", IMAGE,
                    "health-path", SampleImage.HEALTH_PATH,
                    "min-ready", "1",
                    "max-total", "2",
                    "max-in-flight", "2",
                    "health-timeout", "20s"))
            .property(Service.PROVISIONER_WORKER, "trynow.provisioner.image-check.interval", "2s")
            .start();
    visitor = new Visitor(stack);
    bus = new Bus(stack);
  }

  @AfterAll
  static void stopStack() {
    if (bus != null) {
      bus.close();
    }
    if (stack != null) {
      stack.close();
    }
    untag();
  }

  @Test
  void aMissingImageOpensTheCircuitTellsVisitorsAndItsReturnServesThem() throws Exception {
    // 1. missing from the start: reported, degraded, visitors refused with Retry-After
    await().atMost(Duration.ofSeconds(30)).until(() -> template().path("degraded").asBoolean());
    JsonNode view = template();
    assertThat(view.path("accepting").asBoolean()).isFalse();
    assertThat(view.path("circuit").path("state").asText()).isEqualTo("open");
    assertThat(view.path("circuit").path("reason").asText()).isEqualTo("image_missing");
    assertThat(view.path("circuit").path("last_error").asText()).contains(IMAGE);
    JsonNode pool = adminPool();
    assertThat(pool.path("degraded").asBoolean()).isTrue();
    assertThat(pool.path("circuit").path("last_error").asText()).contains(IMAGE);

    Http.Answer refused = visitor.acquireRaw(TEMPLATE);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
    assertThat(refused.json().path("type").asText())
        .isEqualTo("https://trynow.dev/problems/template-unavailable");
    assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);

    // no storm: for 60 s of a missing image (the pool wants 1, the replenisher runs every
    // second), at most a handful of dead letters, and the circuit stays open
    await()
        .during(WINDOW)
        .atMost(WINDOW.plusSeconds(20))
        .until(() -> deadLetters() <= 5 && template().path("degraded").asBoolean());
    int dead = deadLetters();
    LOG.infof(
        "missing image: %d dead letter(s) in %d s since the stack started",
        dead, Duration.between(startedAt, Instant.now()).toSeconds());
    System.out.println("BENCH missing-image dead letters in 60 s: " + dead);
    assertThat(dead).isLessThanOrEqualTo(5);

    // 2. the image is tagged: the circuit closes, the pool refills, a visitor is served
    tag();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> stack.store().poolStats(TEMPLATE).ready() >= 1);
    assertThat(template().path("degraded").asBoolean()).isFalse();
    assertThat(template().path("circuit").path("state").asText()).isEqualTo("closed");
    Visitor.Demo a = visitor.acquire(TEMPLATE);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> stack.store().poolStats(TEMPLATE).ready() >= 1);
    Visitor.Demo b = visitor.acquire(TEMPLATE);

    // 3. max-total reached: two visitors queue; then the image goes and a demo ends
    JsonNode c = queued();
    JsonNode d = queued();
    untag();
    assertThat(visitor.release(a).status()).isEqualTo(202);
    Instant released = Instant.now();
    CompletableFuture<String> sse = firstEndEvent(c);
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          assertThat(requestStatus(c)).isEqualTo("unavailable");
          assertThat(requestStatus(d)).isEqualTo("unavailable");
        });
    Duration told = Duration.between(released, Instant.now());
    LOG.infof("queued visitors told 'unavailable' %d ms after the image went", told.toMillis());
    assertThat(sse.get(15, TimeUnit.SECONDS)).isEqualTo("unavailable");
    assertThat(visitor.acquireRaw(TEMPLATE).status()).isEqualTo(503);

    // 4. the image is back: the visitor who was told asks again and gets a demo
    tag();
    await().atMost(Duration.ofSeconds(60)).until(() -> !template().path("degraded").asBoolean());
    Http.Answer again = visitor.acquireRaw(TEMPLATE);
    assertThat(again.status()).as(again.toString()).isIn(201, 202);
    if (again.status() == 202) {
      JsonNode q = again.json();
      await().atMost(Duration.ofSeconds(60)).until(() -> "assigned".equals(requestStatus(q)));
    }
    assertThat(deadLetters()).as("dead letters over the whole test").isLessThanOrEqualTo(7);
    visitor.release(b);
  }

  private JsonNode queued() {
    Http.Answer r = visitor.acquireRaw(TEMPLATE);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    return r.json();
  }

  private static String requestStatus(JsonNode queued) {
    Http.Answer r =
        Http.get(
            stack.url(Service.API_GATEWAY) + "/v1/requests/" + queued.path("request_id").asText(),
            Map.of("Authorization", "Bearer " + queued.path("access_token").asText()));
    return r.status() == 200 ? r.json().path("status").asText() : "HTTP " + r.status();
  }

  /** The first event of the request's SSE stream that ends it (unavailable, expired, failed). */
  private static CompletableFuture<String> firstEndEvent(JsonNode queued) {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(stack.url(Service.API_GATEWAY) + queued.path("events_url").asText()))
            .header("Accept", "text/event-stream")
            .build();
    return CompletableFuture.supplyAsync(() -> {
      try (HttpClient client = HttpClient.newHttpClient()) {
        HttpResponse<java.io.InputStream> r =
            client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("event:")) {
              String kind = line.substring(6).strip();
              if (List.of("unavailable", "expired", "failed").contains(kind)) {
                return kind;
              }
            }
          }
          return "stream ended";
        }
      } catch (Exception e) {
        return e.toString();
      }
    });
  }

  private static JsonNode template() {
    Http.Answer r = Http.get(stack.url(Service.API_GATEWAY) + "/v1/templates", Map.of());
    for (JsonNode t : r.json()) {
      if (TEMPLATE.equals(t.path("name").asText())) {
        return t;
      }
    }
    throw new AssertionError("no template " + TEMPLATE + " in " + r);
  }

  private static JsonNode adminPool() {
    Http.Answer r =
        Http.get(
            stack.managementUrl(Service.API_GATEWAY) + "/admin/pools",
            Map.of("Authorization", "Bearer " + Visitor.ADMIN_KEY));
    for (JsonNode p : r.json()) {
      if (TEMPLATE.equals(p.path("template").asText())) {
        return p;
      }
    }
    throw new AssertionError("no pool " + TEMPLATE + " in " + r);
  }

  private static int deadLetters() {
    return bus.deadLetters(Subjects.provision(TEMPLATE)).size();
  }

  private static String header(Http.Answer a, String name) {
    return a.headers().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().getFirst())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " header in " + a.headers()));
  }

  private static void tag() {
    stack.docker().tagImageCmd(SampleImage.IMAGE, REPO, "1").exec();
  }

  private static void untag() {
    try {
      if (stack != null) {
        stack.docker().removeImageCmd(IMAGE).withForce(false).exec();
      }
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      // not tagged
    }
  }
}
