package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two api-gateway replicas behind one address ({@link TcpBalancer}: round robin per connection;
 * every request here opens its own connection, so consecutive requests reach different replicas),
 * both given the same ticket secret as the chart gives them: a ticket one replica signed is
 * accepted by the other, and an {@code Idempotency-Key} retried on the other replica returns the
 * same demo and token. With a per-process secret (what the gateway did before it refused to start
 * without one) both would fail.
 */
class GatewayReplicasSystemIT {

  private static Stack stack;
  private static TcpBalancer balancer;

  @BeforeAll
  static void start() {
    stack =
        Stacks.standard("gateway-replicas")
            .replicas(2)
            .template("hello", Map.of("min-ready", "2", "max-total", "6"))
            .start();
    balancer =
        TcpBalancer.start(
            List.of(
                URI.create(stack.url(Service.API_GATEWAY, 0)).getPort(),
                URI.create(stack.url(Service.API_GATEWAY, 1)).getPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (balancer != null) {
      balancer.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  /** One request on a connection of its own; the balancer's next backend serves it. */
  private static Http.Answer send(
      String method, String path, Map<String, String> headers, String json) {
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      return Http.send(client, method, balancer.url() + path, headers, json);
    }
  }

  private static int lastBackend() {
    List<Integer> served = balancer.served();
    return served.get(served.size() - 1);
  }

  private static JsonNode acquire(Map<String, String> headers) throws Exception {
    Http.Answer r = send("POST", "/v1/demos", headers, "{\"template\":\"hello\"}");
    assertThat(r.status()).as(r.body()).isIn(201, 202);
    return r.json();
  }

  @Test
  void aTicketSignedByOneReplicaIsAcceptedByTheOther() throws Exception {
    await("the pool has a ready demo")
        .atMost(Duration.ofMinutes(2))
        .until(() -> stack.store().poolStats("hello").ready() >= 1);
    JsonNode demo = acquire(Map.of());
    int issuer = lastBackend();
    String statusUrl = demo.path("status_url").asText();
    assertThat(statusUrl).contains("ticket=");
    String path = statusUrl.replaceFirst("^https?://[^/]+", "");

    Http.Answer status = send("GET", path, Map.of(), null);
    assertThat(lastBackend()).isNotEqualTo(issuer);
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    assertThat(status.body()).contains(demo.path("id").asText(demo.path("request_id").asText()));
  }

  @Test
  void anIdempotencyKeyRetriedOnTheOtherReplicaReturnsTheSameDemo() throws Exception {
    String key = "replicas-" + UUID.randomUUID();
    JsonNode first = acquire(Map.of("Idempotency-Key", key));
    int firstReplica = lastBackend();
    JsonNode retry = acquire(Map.of("Idempotency-Key", key));
    assertThat(lastBackend()).isNotEqualTo(firstReplica);

    String id = first.path("id").asText(first.path("request_id").asText());
    assertThat(id).isNotEmpty();
    assertThat(retry.path("id").asText(retry.path("request_id").asText())).isEqualTo(id);
    assertThat(retry.path("access_token").asText()).isEqualTo(first.path("access_token").asText());
  }
}
