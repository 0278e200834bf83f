package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  private final String a = Ids.newInstanceId();
  private final String b = Ids.newInstanceId();

  private Route route(String id, int port) {
    return Route.of(id, "demo.localhost", "127.0.0.1", port);
  }

  @Test
  void rendersSortedRoutesThenTheCatchAll404Last() {
    ObjectNode server =
        ServerConfig.render(
            List.of(route(b, 20002), route(a, 20001)), "127.0.0.1:8088", Duration.ofMinutes(10));
    assertThat(server.at("/listen/0").asText()).isEqualTo("127.0.0.1:8088");
    assertThat(server.at("/automatic_https/disable").asBoolean()).isTrue();
    JsonNode routes = server.get("routes");
    assertThat(routes).hasSize(3);
    String first = a.compareTo(b) < 0 ? a : b;
    assertThat(routes.get(0).get("@id").asText()).isEqualTo("trynow-" + first);
    assertThat(routes.get(0).at("/match/0/host/0").asText()).isEqualTo(first + ".demo.localhost");
    assertThat(routes.get(0).at("/handle/0/handler").asText()).isEqualTo("reverse_proxy");
    assertThat(routes.get(0).at("/handle/0/stream_close_delay").asText()).isEqualTo("600000ms");
    assertThat(routes.get(2).get("@id").asText()).isEqualTo(ServerConfig.NOT_FOUND_ID);
    assertThat(routes.get(2).has("match")).as("catch-all matches everything").isFalse();
    assertThat(routes.get(2).at("/handle/0/status_code").asInt()).isEqualTo(404);
    assertThat(routes.get(2).at("/handle/0/body").asText()).contains("<h1>No such demo</h1>");
    assertThat(routes.get(2).at("/handle/0/headers/Content-Type/0").asText())
        .startsWith("text/html");
  }

  @Test
  void withAPagesUpstreamTheCatchAllAsksTheGatewayWithTheHostInAHeaderNotThePath() {
    ObjectNode server =
        ServerConfig.render(List.of(route(a, 20001)), "127.0.0.1:8088", null, "127.0.0.1:8080");
    JsonNode catchAll = server.at("/routes/1");
    assertThat(catchAll.get("@id").asText()).isEqualTo(ServerConfig.NOT_FOUND_ID);
    assertThat(catchAll.at("/handle/0/handler").asText()).isEqualTo("rewrite");
    assertThat(catchAll.at("/handle/0/uri").asText()).isEqualTo("/demo-host");
    assertThat(catchAll.at("/handle/0/method").asText()).isEqualTo("GET");
    assertThat(catchAll.at("/handle/1/handler").asText()).isEqualTo("reverse_proxy");
    assertThat(catchAll.at("/handle/1/upstreams/0/dial").asText()).isEqualTo("127.0.0.1:8080");
    assertThat(catchAll.at("/handle/1/headers/request/set/Trynow-Demo-Host/0").asText())
        .isEqualTo("{http.request.host}");
    // an upstream that fails (a stopped instance, the gateway down) shows a page that refreshes
    JsonNode error = server.at("/errors/routes/0/handle/0");
    assertThat(error.get("handler").asText()).isEqualTo("static_response");
    assertThat(error.get("status_code").asText()).isEqualTo("{http.error.status_code}");
    assertThat(error.at("/headers/Refresh/0").asText()).isEqualTo("5");
  }

  @Test
  void sameSetRendersTheSameBytesWhateverTheOrder() {
    String one =
        Json.MAPPER
            .valueToTree(
                ServerConfig.render(List.of(route(a, 1), route(b, 2)), "127.0.0.1:1", null))
            .toString();
    String two =
        Json.MAPPER
            .valueToTree(
                ServerConfig.render(List.of(route(b, 2), route(a, 1)), "127.0.0.1:1", null))
            .toString();
    assertThat(one).isEqualTo(two).doesNotContain("stream_close_delay");
  }

  @Test
  void diffFindsAddedRemovedChangedAndDuplicates() {
    String c = Ids.newInstanceId();
    ObjectNode actual = ServerConfig.render(List.of(route(a, 1), route(c, 3)), "127.0.0.1:1", null);
    ((ArrayNode) actual.get("routes")).add(ServerConfig.route(route(a, 1), null)); // blind append
    ObjectNode desired =
        ServerConfig.render(List.of(route(a, 1), route(b, 2), route(c, 4)), "127.0.0.1:1", null);

    ServerConfig.Diff diff = ServerConfig.diff(desired, actual);

    assertThat(diff.added()).containsExactly("trynow-" + b);
    assertThat(diff.removed()).isEmpty();
    assertThat(diff.changed()).containsExactly("trynow-" + c);
    assertThat(diff.duplicates()).isEqualTo(1);
    assertThat(ServerConfig.read(actual).instanceIds()).containsExactlyInAnyOrder(a, c);
  }

  @Test
  void aServerWithoutRoutesReadsAsEmpty() {
    assertThat(ServerConfig.read(null).instanceIds()).isEmpty();
    assertThat(ServerConfig.read(Json.MAPPER.createObjectNode()).instanceIds()).isEmpty();
  }
}
