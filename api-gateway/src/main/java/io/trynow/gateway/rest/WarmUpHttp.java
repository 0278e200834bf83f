package io.trynow.gateway.rest;

import io.trynow.platform.http.Http1Answer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection to the public listener, as a browser holds one: a plain socket
 * (the JDK's HttpClient would add its own threads and classes, none of which a visitor's request
 * uses); the answer is read by {@link Http1Answer}, which leaves the connection at the next one.
 */
final class WarmUpHttp implements AutoCloseable {

  private static final int TIMEOUT_MS = 5000;

  /** Largest answer taken (the warm-up's are a few kilobytes). */
  private static final int MAX_BODY = 1024 * 1024;

  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  WarmUpHttp(int port) {
    this.port = port;
  }

  /** The status of {@code GET path}; its body read and dropped. */
  int get(String path) throws IOException {
    return exchange(
        "GET",
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nAccept: application/json\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** The status of {@code POST path} with a JSON body as a browser's fetch sends it. */
  int postJson(String path, String json) throws IOException {
    return postJson(path, json, "");
  }

  /**
   * {@link #postJson(String, String)} with {@code extraHeaders}: header lines, each ending in CRLF.
   */
  int postJson(String path, String json, String extraHeaders) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\n"
                + extraHeaders
                + "Accept: */*\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return exchange("POST", request);
  }

  /** Sends one request on the connection (opened when needed); its answer's status. */
  private int exchange(String method, byte[] request) throws IOException {
    if (socket == null) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      s.setSoTimeout(TIMEOUT_MS);
      s.setTcpNoDelay(true);
      socket = s;
      in = new BufferedInputStream(s.getInputStream());
      out = s.getOutputStream();
    }
    out.write(request);
    out.flush();
    Http1Answer answer = Http1Answer.read(in, method, MAX_BODY);
    if (answer.closes()) {
      close();
    }
    return answer.status();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closed either way
      }
      socket = null;
    }
  }
}
