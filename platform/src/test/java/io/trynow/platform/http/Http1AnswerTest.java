package io.trynow.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The framing {@link Http1Answer} reads, from fixed bytes (over real sockets and servers:
 * proxy-sync's AdminHttpTest and Caddy ITs, provisioner-worker's InstanceHealthTest, the gateway's
 * start-up warm-up in every gateway IT).
 */
class Http1AnswerTest {

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keepAliveAnswersAreReadOneAfterTheOtherFromOneStream() throws IOException {
    InputStream in =
        bytes(
            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx");
    Http1Answer first = Http1Answer.read(in, "POST", 1024);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.bodyText()).isEqualTo("{}");
    assertThat(first.header("content-type")).isEqualTo("application/json");
    assertThat(first.closes()).isFalse();
    Http1Answer second = Http1Answer.read(in, "GET", 1024);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.bodyText()).isEqualTo("abc");
    assertThat(second.closes()).isFalse();
    assertThat(Http1Answer.read(in, "GET", 1024).body()).isEmpty();
    assertThat(Http1Answer.read(in, "GET", 1024).bodyText()).isEqualTo("x");
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void aChunkedBodyIsJoinedAndItsTrailersWinOverItsHeaders() throws IOException {
    Http1Answer a =
        Http1Answer.read(
            bytes(
                "HTTP/1.1 200 OK\r\nEtag: \"old\"\r\nTrailer: Etag\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"a\":\r\n4;ext=1\r\n1}\r\n\r\n0\r\nEtag: \"/config/ 1234\"\r\n\r\n"),
            "GET",
            1024);
    assertThat(a.bodyText()).isEqualTo("{\"a\":1}\r\n");
    assertThat(a.header("etag")).isEqualTo("\"/config/ 1234\"");
  }

  @Test
  void anAnswerWithoutLengthEndsAtTheCloseAndSaysSo() throws IOException {
    Http1Answer a = Http1Answer.read(bytes("HTTP/1.0 404 Not Found\r\n\r\nnot here"), "GET", 1024);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.bodyText()).isEqualTo("not here");
    assertThat(a.closes()).isTrue();
    Http1Answer said =
        Http1Answer.read(
            bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), "GET", 1);
    assertThat(said.closes()).isTrue();
  }

  @Test
  void aHeadAnswerHasNoBodyWhateverItsLengthSays() throws IOException {
    InputStream in = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\n");
    assertThat(Http1Answer.read(in, "HEAD", 1024).body()).isEmpty();
    assertThat(Http1Answer.readStatus(in)).isEqualTo(200);
  }

  @Test
  void aCutTooLargeOrNonHttpAnswerIsAnIoError() {
    assertThatThrownBy(() ->
            Http1Answer.read(
                bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"), "GET", 1024))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("before the end of the body");
    assertThatThrownBy(() ->
            Http1Answer.read(
                bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"), "GET", 1024))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() ->
            Http1Answer.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n"), "GET", 1024))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(
            () -> Http1Answer.read(bytes("HTTP/1.1 200 OK\r\n\r\n" + "y".repeat(30)), "GET", 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than 20");
    assertThatThrownBy(() -> Http1Answer.readStatus(bytes("SSH-2.0-OpenSSH\r\n")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an HTTP");
    assertThatThrownBy(() -> Http1Answer.readStatus(bytes("HTTP/1.1 2x0 OK\r\n")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an HTTP");
    assertThatThrownBy(() -> Http1Answer.readStatus(bytes("")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed before");
    assertThatThrownBy(() -> Http1Answer.readStatus(bytes("H".repeat(Http1Answer.MAX_LINE + 1))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("line longer than");
  }
}
