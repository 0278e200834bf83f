package io.trynow.proxysync.caddy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange with Caddy's admin API on a connection of its own ({@code Connection:
 * close}), blocking on the caller's thread: the request line, headers and body written at once, the
 * answer read up to its end (content length, chunked with trailers, or the server's close).
 *
 * <p>Why not an HTTP client: Caddy closes the connection after every config change, so nothing is
 * reused, and an exchange here is a few hundred bytes to a few tens of kilobytes on loopback. The
 * Vert.x client this replaced (the JDK one drops trailers, where Caddy 2.6 puts the config's {@code
 * ETag}) built a Netty pipeline per connection and handed every answer from its event loop to the
 * waiting thread: in the crowd bench its event loop was a third of proxy-sync's CPU samples, on the
 * two cores the Docker engine needs.
 */
final class AdminHttp {

  /** Longest status, header or chunk-size line read; Caddy's are far shorter. */
  private static final int MAX_LINE = 16 * 1024;

  /** Largest answer read (Caddy's whole config with thousands of routes is well below). */
  private static final int MAX_BODY = 64 * 1024 * 1024;

  private final String host;
  private final int port;
  private final boolean tls;
  private final String hostHeader;
  private final int timeoutMs;

  /**
   * @param baseUrl {@code http(s)://host:port} of the admin API (no path)
   * @param timeoutMs connect timeout, and the longest wait for each read of the answer
   */
  AdminHttp(String baseUrl, int timeoutMs) {
    URI uri = URI.create(baseUrl);
    this.tls = "https".equalsIgnoreCase(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    this.hostHeader = uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    this.timeoutMs = Math.max(1, timeoutMs);
  }

  /**
   * Sends {@code method path} with an optional JSON {@code body} and {@code If-Match}, returns the
   * answer as it is (any status).
   *
   * @throws IOException the connection failed, was reset or timed out, or the answer is not HTTP
   */
  AdminResponse exchange(String method, String path, String body, String ifMatch)
      throws IOException {
    byte[] payload = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(160);
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(hostHeader).append("\r\n");
    head.append("Connection: close\r\n");
    if (ifMatch != null) {
      head.append("If-Match: ").append(ifMatch).append("\r\n");
    }
    if (payload != null) {
      head.append("Content-Type: application/json\r\n");
      head.append("Content-Length: ").append(payload.length).append("\r\n");
    } else if (!method.equals("GET") && !method.equals("DELETE") && !method.equals("HEAD")) {
      head.append("Content-Length: 0\r\n");
    }
    head.append("\r\n");
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
      if (payload == null) {
        out.write(h);
      } else {
        byte[] all = new byte[h.length + payload.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(payload, 0, all, h.length, payload.length);
        out.write(all);
      }
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream(), 8192), method);
    }
  }

  private Socket open() throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.connect(new InetSocketAddress(host, port), timeoutMs);
      plain.setSoTimeout(timeoutMs);
      if (!tls) {
        return plain;
      }
      SSLSocket s =
          (SSLSocket)
              ((SSLSocketFactory) SSLSocketFactory.getDefault())
                  .createSocket(plain, host, port, true);
      s.setSoTimeout(timeoutMs);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** The answer: status line, headers, body by its framing, trailers of a chunked body. */
  static AdminResponse read(InputStream in, String method) throws IOException {
    String status = line(in);
    if (status == null
        || !status.startsWith("HTTP/1.")
        || status.length() < 12
        || status.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x answer: " + status);
    }
    int code;
    try {
      code = Integer.parseInt(status.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP/1.x answer: " + status);
    }
    String etag = null;
    long length = -1;
    boolean chunked = false;
    for (String l; !(l = requireLine(in)).isEmpty(); ) {
      int colon = l.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      switch (name) {
        case "etag" -> etag = value;
        case "content-length" -> length = parseLength(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        default -> {}
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200)) {
      // no body
    } else if (chunked) {
      while (true) {
        String sizeLine = requireLine(in);
        int semi = sizeLine.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + sizeLine);
        }
        if (size == 0) {
          break;
        }
        copy(in, body, size);
        if (!requireLine(in).isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }
      // trailers: Caddy 2.6 sends the config's ETag here
      for (String l; !(l = requireLine(in)).isEmpty(); ) {
        int colon = l.indexOf(':');
        if (colon > 0 && l.substring(0, colon).trim().equalsIgnoreCase("etag")) {
          etag = l.substring(colon + 1).trim();
        }
      }
    } else if (length >= 0) {
      copy(in, body, length);
    } else {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (body.size() + n > MAX_BODY) {
          throw new IOException("answer larger than " + MAX_BODY + " bytes");
        }
        body.write(buf, 0, n);
      }
    }
    return new AdminResponse(code, body.toString(StandardCharsets.UTF_8), etag);
  }

  private static long parseLength(String value) throws IOException {
    try {
      long n = Long.parseLong(value);
      if (n < 0 || n > MAX_BODY) {
        throw new IOException("content length out of range: " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IOException("bad content length: " + value);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream to, long n) throws IOException {
    if (to.size() + n > MAX_BODY) {
      throw new IOException("answer larger than " + MAX_BODY + " bytes");
    }
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    for (long left = n; left > 0; ) {
      int r = in.read(buf, 0, (int) Math.min(left, buf.length));
      if (r < 0) {
        throw new IOException("connection closed " + left + " bytes before the end of the body");
      }
      to.write(buf, 0, r);
      left -= r;
    }
  }

  private static String requireLine(InputStream in) throws IOException {
    String l = line(in);
    if (l == null) {
      throw new IOException("connection closed in the middle of the answer");
    }
    return l;
  }

  /** One line without its CRLF (or LF); null at the end of the stream before any byte. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        return b.isEmpty() ? null : b.toString();
      }
      if (b.length() >= MAX_LINE) {
        throw new IOException("line longer than " + MAX_LINE + " bytes");
      }
      b.append((char) c);
    }
    int end = b.length();
    if (end > 0 && b.charAt(end - 1) == '\r') {
      b.setLength(end - 1);
    }
    return b.toString();
  }
}
