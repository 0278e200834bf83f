package io.trynow.proxysync.caddy;

import io.trynow.platform.http.Http1Answer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange with Caddy's admin API on a connection of its own ({@code Connection:
 * close}), blocking on the caller's thread: the request line, headers and body written at once, the
 * answer read up to its end by {@link Http1Answer} (content length, chunked with trailers, or the
 * server's close).
 *
 * <p>Why not an HTTP client: Caddy closes the connection after every config change, so nothing is
 * reused, and an exchange here is a few hundred bytes to a few tens of kilobytes on loopback. The
 * Vert.x client this replaced (the JDK one drops trailers, where Caddy 2.6 puts the config's {@code
 * ETag}) built a Netty pipeline per connection and handed every answer from its event loop to the
 * waiting thread: in the crowd bench its event loop was a third of proxy-sync's CPU samples, on the
 * two cores the Docker engine needs.
 */
final class AdminHttp {

  /** Largest answer read (Caddy's whole config with thousands of routes is well below). */
  private static final int MAX_BODY = 64 * 1024 * 1024;

  private final String host;
  private final int port;
  private final boolean tls;
  private final String hostHeader;
  private final int timeoutMs;
  private final SSLSocketFactory tlsSockets;

  /**
   * @param baseUrl {@code http(s)://host:port} of the admin API (no path)
   * @param timeoutMs connect timeout, and the longest wait for each read of the answer
   */
  AdminHttp(String baseUrl, int timeoutMs) {
    this(baseUrl, timeoutMs, (SSLSocketFactory) SSLSocketFactory.getDefault());
  }

  /** As above, with the TLS sockets (trust) of {@code tlsSockets} for an {@code https} URL. */
  AdminHttp(String baseUrl, int timeoutMs, SSLSocketFactory tlsSockets) {
    this.tlsSockets = tlsSockets;
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
      Http1Answer answer =
          Http1Answer.read(
              new BufferedInputStream(socket.getInputStream(), 8192), method, MAX_BODY);
      return new AdminResponse(answer.status(), answer.bodyText(), answer.header("etag"));
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
      SSLSocket s = (SSLSocket) tlsSockets.createSocket(plain, host, port, true);
      // the certificate must name the admin URL's host, as an HTTP client checks it: a layered
      // socket checks only the chain unless told to
      SSLParameters params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      s.setSoTimeout(timeoutMs);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }
}
