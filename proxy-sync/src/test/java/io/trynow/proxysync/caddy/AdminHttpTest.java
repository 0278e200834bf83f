package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.testsupport.TlsFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The framing {@link AdminHttp} reads, against a real loopback socket that answers with fixed bytes
 * (Caddy itself: CaddyRoutesIT, CaddyRetryIT, ProxySyncIT).
 */
class AdminHttpTest {

  /** Serves one connection: records the request (head and body), answers {@code answer}. */
  private static CompletableFuture<String> serveOnce(ServerSocket server, String answer) {
    return CompletableFuture.supplyAsync(() -> {
      try (Socket c = server.accept()) {
        InputStream in = c.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int contentLength = 0;
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
          got.write(b);
          if (b == '\n') {
            String l = line.toString().trim();
            if (l.toLowerCase().startsWith("content-length:")) {
              contentLength = Integer.parseInt(l.substring(15).trim());
            }
            if (l.isEmpty()) {
              break;
            }
            line.setLength(0);
          } else {
            line.append((char) b);
          }
        }
        got.write(in.readNBytes(contentLength));
        c.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().flush();
        return got.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static ServerSocket server() throws IOException {
    return new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
  }

  private static AdminHttp client(ServerSocket s) {
    return new AdminHttp("http://127.0.0.1:" + s.getLocalPort(), 2000);
  }

  @Test
  void aChunkedAnswerIsJoinedAndItsTrailerEtagIsRead() throws Exception {
    try (ServerSocket s = server()) {
      CompletableFuture<String> request =
          serveOnce(
              s,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTrailer: Etag\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n"
                  + "5\r\n{\"a\":\r\n4;ext=1\r\n1}\r\n\r\n0\r\nEtag: \"/config/ 1234\"\r\n\r\n");
      AdminResponse r = client(s).exchange("GET", "/config/apps", null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"a\":1}\r\n");
      assertThat(r.etag()).isEqualTo("\"/config/ 1234\"");
      assertThat(request.get(5, TimeUnit.SECONDS))
          .startsWith("GET /config/apps HTTP/1.1\r\n")
          .contains("Host: 127.0.0.1:" + s.getLocalPort() + "\r\n")
          .contains("Connection: close\r\n")
          .doesNotContain("Content-Length")
          .endsWith("\r\n\r\n");
    }
  }

  @Test
  void aGuardedWriteSendsItsBodyAndIfMatchAndGetsTheStatusAsItIs() throws Exception {
    try (ServerSocket s = server()) {
      CompletableFuture<String> request =
          serveOnce(
              s,
              "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 15\r\n"
                  + "Etag: \"x\"\r\n\r\n{\"error\":\"no\"}\n");
      String body = "{\"routes\":[\"é\"]}";
      AdminResponse r = client(s).exchange("PATCH", "/config/x", body, "\"/config/ 9\"");
      assertThat(r.status()).isEqualTo(412);
      assertThat(r.ok()).isFalse();
      assertThat(r.body()).isEqualTo("{\"error\":\"no\"}\n");
      assertThat(r.etag()).isEqualTo("\"x\"");
      int bytes = body.getBytes(StandardCharsets.UTF_8).length;
      assertThat(request.get(5, TimeUnit.SECONDS))
          .startsWith("PATCH /config/x HTTP/1.1\r\n")
          .contains("If-Match: \"/config/ 9\"\r\n")
          .contains("Content-Type: application/json\r\n")
          .contains("Content-Length: " + bytes + "\r\n")
          .endsWith("\r\n\r\n" + body);
    }
  }

  @Test
  void anAnswerWithoutLengthEndsAtTheClose() throws Exception {
    try (ServerSocket s = server()) {
      serveOnce(s, "HTTP/1.0 404 Not Found\r\n\r\nnot here");
      AdminResponse r = client(s).exchange("DELETE", "/id/x", null, null);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("not here");
      assertThat(r.etag()).isNull();
    }
  }

  @Test
  void aCutAnswerOrOneThatIsNotHttpIsATransportFailure() throws Exception {
    try (ServerSocket s = server()) {
      serveOnce(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
      assertThatThrownBy(() -> client(s).exchange("GET", "/config/", null, null))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("before the end of the body");
      serveOnce(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
      assertThatThrownBy(() -> client(s).exchange("GET", "/config/", null, null))
          .isInstanceOf(IOException.class);
      serveOnce(s, "SSH-2.0-OpenSSH\r\n");
      assertThatThrownBy(() -> client(s).exchange("GET", "/config/", null, null))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not an HTTP");
    }
  }

  @Test
  void nothingListeningIsATransportFailure() throws Exception {
    int port;
    try (ServerSocket s = server()) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () -> new AdminHttp("http://127.0.0.1:" + port, 500).exchange("GET", "/", null, null))
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void overTlsTheCertificateMustNameTheAdminHost() throws Exception {
    TlsFiles tls = TlsFiles.create(); // server certificate for localhost, 127.0.0.1 and 127.0.0.2
    javax.net.ssl.SSLSocketFactory trusting = tls.clientContext().getSocketFactory();
    javax.net.ssl.SSLServerSocketFactory serving = tls.serverContext().getServerSocketFactory();
    try (ServerSocket s = serving.createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      serveOnce(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      AdminResponse r =
          new AdminHttp("https://127.0.0.1:" + s.getLocalPort(), 2000, trusting)
              .exchange("GET", "/config/", null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{}");
    }
    // a trusted chain for another name: refused, nothing sent
    try (ServerSocket s = serving.createServerSocket(0, 5, InetAddress.getByName("127.0.0.3"))) {
      CompletableFuture<String> request = serveOnce(s, "HTTP/1.1 200 OK\r\n\r\n");
      assertThatThrownBy(() ->
              new AdminHttp("https://127.0.0.3:" + s.getLocalPort(), 2000, trusting)
                  .exchange("GET", "/config/", null, null))
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      assertThat(request).failsWithin(5, TimeUnit.SECONDS);
    }
  }
}
