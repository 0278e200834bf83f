package io.trynow.platform.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.x answer read off a blocking stream: status line, headers, the body by its framing
 * (content length, chunked with its trailers, or up to the server's close). The one reader of the
 * places that speak HTTP/1.1 on a plain socket rather than through an HTTP client: proxy-sync's
 * Caddy admin calls ({@code AdminHttp}), the provisioner's health probe ({@code InstanceHealth},
 * status line only) and the gateway's start-up warm-up ({@code WarmUpHttp}, keep-alive: the stream
 * is left at the next answer). Each module says there why it does not use a client.
 */
public final class Http1Answer {

  /** Longest status, header or chunk-size line read. */
  public static final int MAX_LINE = 16 * 1024;

  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;
  private final boolean closes;

  private Http1Answer(int status, Map<String, String> headers, byte[] body, boolean closes) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.closes = closes;
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /**
   * The last value of a header or trailer (a trailer wins over a header of the same name).
   *
   * @param name lower case
   * @return the value, or null
   */
  public String header(String name) {
    return headers.get(name);
  }

  /** The body as it came (empty when there was none). */
  public byte[] body() {
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The connection cannot carry another exchange: the server said {@code Connection: close}, or the
   * body ended with the connection.
   */
  public boolean closes() {
    return closes;
  }

  /**
   * Reads one answer to a request of {@code method}, up to its end and no further.
   *
   * @param maxBody the largest body taken
   * @throws IOException the stream ended or failed before the end of the answer, or what came is
   *     not an HTTP/1.x answer, or it is larger than {@code maxBody}
   */
  public static Http1Answer read(InputStream in, String method, int maxBody) throws IOException {
    int status = status(requireLine(in));
    Map<String, String> headers = new HashMap<>();
    readFields(in, headers);
    long length = -1;
    String lengthField = headers.get("content-length");
    if (lengthField != null) {
      try {
        length = Long.parseLong(lengthField);
      } catch (NumberFormatException e) {
        throw new IOException("bad content length: " + lengthField);
      }
      if (length < 0 || length > maxBody) {
        throw new IOException("content length out of range: " + lengthField);
      }
    }
    boolean chunked =
        headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
    boolean closes =
        headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT).contains("close");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
      // no body
    } else if (chunked) {
      for (long size; (size = chunkSize(requireLine(in))) > 0; ) {
        copy(in, body, size, maxBody);
        if (!requireLine(in).isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }
      readFields(in, headers); // trailers (Caddy 2.6 sends its config's ETag here)
    } else if (length >= 0) {
      copy(in, body, length, maxBody);
    } else {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (body.size() + n > maxBody) {
          throw new IOException("answer larger than " + maxBody + " bytes");
        }
        body.write(buf, 0, n);
      }
      closes = true;
    }
    return new Http1Answer(status, headers, body.toByteArray(), closes);
  }

  /**
   * Reads the status line only ({@code HTTP/1.x NNN ...}) and returns {@code NNN}; the rest of the
   * answer stays unread.
   *
   * @throws IOException the stream ended first, or it is not an HTTP/1.x status line
   */
  public static int readStatus(InputStream in) throws IOException {
    return status(requireLine(in));
  }

  private static int status(String line) throws IOException {
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x answer: " + abbreviate(line));
    }
    try {
      return Integer.parseInt(line.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP/1.x answer: " + abbreviate(line));
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }

  /** Header or trailer lines up to the empty one; names lower-cased, the last value kept. */
  private static void readFields(InputStream in, Map<String, String> into) throws IOException {
    for (String l; !(l = requireLine(in)).isEmpty(); ) {
      int colon = l.indexOf(':');
      if (colon > 0) {
        into.put(
            l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
    }
  }

  private static long chunkSize(String line) throws IOException {
    int semi = line.indexOf(';');
    try {
      long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
      if (size < 0) {
        throw new NumberFormatException();
      }
      return size;
    } catch (NumberFormatException e) {
      throw new IOException("bad chunk size: " + abbreviate(line));
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream to, long n, int maxBody)
      throws IOException {
    if (to.size() + n > maxBody) {
      throw new IOException("answer larger than " + maxBody + " bytes");
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

  /** One line without its CRLF (or LF). */
  private static String requireLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new IOException(
            b.isEmpty()
                ? "connection closed before the end of the answer"
                : "connection closed in the middle of a line");
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
