package io.trynow.provisioner.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The health poll against real loopback servers (the JDK's HTTP server, plain sockets). */
class InstanceHealthTest {

  private static final InstanceHealth.Settings FAST =
      new InstanceHealth.Settings(
          Duration.ofMillis(2),
          Duration.ofMillis(20),
          Duration.ofMillis(500),
          Duration.ofMillis(50));

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private URI serve(String path, int... statuses) throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
          int n = calls.getAndIncrement();
          int status = statuses[Math.min(n, statuses.length - 1)];
          byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void pollsUntilTheHealthPathAnswers2xxWithAGetOfItsPathAndQuery() throws Exception {
    URI uri = serve("/healthz?deep=1", 503, 500, 204);
    Duration took = new InstanceHealth(FAST).await(uri, Duration.ofSeconds(5), Optional::empty);
    assertThat(requests)
        .containsExactly("GET /healthz?deep=1", "GET /healthz?deep=1", "GET /healthz?deep=1");
    assertThat(took).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aRedirectIsNotHealthyAndTheLastAnswerIsNamedAtTheDeadline() throws Exception {
    URI uri = serve("/", 302);
    assertThatThrownBy(
            () -> new InstanceHealth(FAST).await(uri, Duration.ofMillis(300), Optional::empty))
        .isInstanceOf(InstanceHealth.NeverHealthyException.class)
        .hasMessageContaining("HTTP 302");
    assertThat(requests.size()).isGreaterThan(3);
  }

  @Test
  void nothingListeningFailsAtTheDeadlineAsARefusedConnection() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port + "/");
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> new InstanceHealth(FAST).await(uri, Duration.ofMillis(300), Optional::empty))
        .isInstanceOf(InstanceHealth.NeverHealthyException.class)
        .hasMessageContaining("ConnectException");
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
  }

  @Test
  void aContainerThatStoppedEndsTheWaitAtItsNextCheck() throws Exception {
    URI uri = serve("/", 503);
    long t0 = System.nanoTime();
    assertThatThrownBy(() ->
            new InstanceHealth(FAST)
                .await(uri, Duration.ofSeconds(30), () -> Optional.of("container x exited")))
        .isInstanceOf(InstanceHealth.NeverHealthyException.class)
        .hasMessageContaining("container x exited");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aServerThatIsNotHttpOrNeverAnswersIsNotHealthy() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t =
          Thread.ofVirtual()
              .start(() -> {
                int n = 0;
                while (!s.isClosed()) {
                  try (Socket c = s.accept()) {
                    if (n++ % 2 == 0) {
                      c.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                      Thread.sleep(400); // accepts, never answers: the probe's read times out
                    }
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              });
      URI uri = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
      assertThatThrownBy(() -> InstanceHealth.probe(uri, Duration.ofMillis(200)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not an HTTP");
      assertThatThrownBy(() -> InstanceHealth.probe(uri, Duration.ofMillis(200)))
          .isInstanceOf(java.net.SocketTimeoutException.class);
      s.close();
      t.join(2000);
    }
  }
}
