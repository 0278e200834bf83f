package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.trynow.model.Json;
import io.trynow.testsupport.CaddyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catch-all's pages upstream through a real Caddy 2.6: a client asking for an h2c upgrade (the
 * JDK's HttpClient and {@code curl --http2} do, on every new plain-http connection) gets the page
 * as one plain HTTP/1.1 answer, and the upgrade never reaches the upstream. The gateway's HTTP
 * server answers a forwarded {@code Upgrade: h2c} on a fresh connection with 400 and then leaves it
 * open, so a forwarded upgrade showed such a visitor a 400 or a hang instead of "this demo has
 * ended".
 */
class PagesUpgradeIT {

  private static final CaddyServer CADDY = new CaddyServer();
  private static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();
  private static HttpServer pages;

  @BeforeAll
  static void start() throws Exception {
    pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pages.createContext(
        "/",
        exchange -> {
          exchange
              .getRequestHeaders()
              .forEach((name, values) -> SEEN.put(name.toLowerCase(), List.copyOf(values)));
          byte[] body = "ended".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(410, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    pages.start();
    CADDY.start();
    ObjectNode server =
        ServerConfig.render(
            List.of(),
            "127.0.0.1:" + CADDY.httpPort(),
            null,
            "127.0.0.1:" + pages.getAddress().getPort());
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.putObject("apps").putObject("http").putObject("servers").set("demos", server);
    HttpResponse<String> loaded =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(CADDY.adminUrl() + "/config/"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(config.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    CADDY.stop();
    if (pages != null) {
      pages.stop(0);
    }
  }

  @Test
  void anH2cUpgradeGetsThePagePlainAndNeverReachesTheUpstream() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", CADDY.httpPort())) {
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: abc.demo.localhost\r\n"
                      + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                      + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).isEqualTo("HTTP/1.1 410 Gone");
    }
    assertThat(SEEN).containsKey("trynow-demo-host").doesNotContainKey("upgrade");
    assertThat(SEEN.get("trynow-demo-host")).containsExactly("abc.demo.localhost");
    assertThat(SEEN.getOrDefault("connection", List.of()))
        .noneMatch(v -> v.toLowerCase().contains("upgrade"));
  }
}
