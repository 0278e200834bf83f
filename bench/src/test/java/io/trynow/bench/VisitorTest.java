package io.trynow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The visitor's page read against a real loopback listener that acts as Caddy after a reload. */
class VisitorTest {

  /** Reads one request head off {@code c}. */
  private static void readHead(Socket c) throws java.io.IOException {
    InputStream in = c.getInputStream();
    int matched = 0;
    byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int b; matched < end.length && (b = in.read()) >= 0; ) {
      matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
    }
  }

  @Test
  void aPageReadThatFailsBeforeAnyAnswerIsSentAgain() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      String url = "http://demo.localhost:" + server.getLocalPort() + "/";
      CompletableFuture<Integer> served =
          CompletableFuture.supplyAsync(() -> {
            int connections = 0;
            try {
              // 1st connection: one answer (not yet routed), then closed unanswered on the next
              // read, as Caddy closes its idle connections on a config change; the JDK client
              // sends that GET again by itself on a 2nd connection, closed unanswered as well (the
              // reload closed every idle one); only the visitor's own retry gets the 3rd
              Socket first = server.accept();
              connections++;
              readHead(first);
              OutputStream out = first.getOutputStream();
              out.write(
                  "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              readHead(first);
              first.close();
              try (Socket second = server.accept()) {
                connections++;
                readHead(second);
              }
              try (Socket third = server.accept()) {
                connections++;
                readHead(third);
                third
                    .getOutputStream()
                    .write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                third.getOutputStream().flush();
                third.getInputStream().read(); // until the client is done
              }
            } catch (java.io.IOException e) {
              // the client closed
            }
            return connections;
          });
      int before = Visitor.PAGE_RETRIES.get();
      java.net.http.HttpClient http = Visitor.client();
      Visitor.awaitPage(http, url, System.nanoTime(), Duration.ofSeconds(10));
      assertThat(Visitor.PAGE_RETRIES.get() - before).isEqualTo(1);
      http.close();
      assertThat(served.get(5, TimeUnit.SECONDS)).isEqualTo(3);
    }
  }
}
