package io.trynow.gateway.rest;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection to the public listener, as a browser holds one: a plain socket
 * (the JDK's HttpClient would add its own threads and classes, none of which a visitor's request
 * uses).
 */
final class WarmUpHttp implements AutoCloseable {

  private static final int TIMEOUT_MS = 5000;

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
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nAccept: application/json\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** The status of {@code POST path} with a JSON body as a browser's fetch sends it. */
  int postJson(String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return exchange(request);
  }

  /** Sends one request on the connection (opened when needed); its answer's status. */
  private int exchange(byte[] request) throws IOException {
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
    String statusLine = line();
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    int length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(h.substring("content-length:".length()).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (chunked) {
      for (int size = chunk(); size > 0; size = chunk()) {
        in.readNBytes(size);
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
    } else if (length >= 0) {
      in.readNBytes(length);
    } else {
      in.readAllBytes();
      close = true;
    }
    if (close) {
      close();
    }
    return status;
  }

  private int chunk() throws IOException {
    String size = line();
    int semi = size.indexOf(';');
    return Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("the listener closed the connection");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
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
