package io.trynow.testsupport;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The harness's own tiny RESP client (one connection per call, plain or TLS, optional AUTH): how
 * the tests look at a Valkey or Sentinel server without going through the code under test. Replies:
 * a String for simple/bulk strings (errors as {@code "-ERR ..."}), a Long for integers, a List for
 * arrays, null for nil.
 */
final class RespProbe {

  private final String host;
  private final int port;
  private final SSLContext tls;
  private final String user;
  private final String password;

  RespProbe(String host, int port, SSLContext tls, String user, String password) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.user = user;
    this.password = password;
  }

  /**
   * Sends {@code args} as one command (after AUTH when credentials are set) and reads the reply.
   */
  Object call(String... args) throws IOException {
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      if (password != null) {
        write(
            out,
            user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
        Object auth = read(in);
        if (!"OK".equals(auth)) {
          throw new IOException("AUTH refused: " + auth);
        }
      }
      write(out, args);
      return read(in);
    }
  }

  /** Sends an inline command (after AUTH when set) and returns the first reply line, raw. */
  String firstLine(String inline) throws IOException {
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      if (password != null) {
        write(
            out,
            user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
        Object auth = read(in);
        if (!"OK".equals(auth)) {
          throw new IOException("AUTH refused: " + auth);
        }
      }
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      int type = in.read();
      if (type < 0) {
        throw new EOFException("server closed the connection");
      }
      return (char) type + line(in);
    }
  }

  private Socket open() throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress(host, port), 1000);
    plain.setSoTimeout(3000);
    if (tls == null) {
      return plain;
    }
    Socket s = tls.getSocketFactory().createSocket(plain, host, port, true);
    ((javax.net.ssl.SSLSocket) s).startHandshake();
    return s;
  }

  private static void write(OutputStream out, String[] args) throws IOException {
    StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("server closed the connection");
    }
    String line = line(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> "-" + line;
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        byte[] b = in.readNBytes(n + 2);
        yield new String(b, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(read(in));
        }
        yield list;
      }
      default -> throw new IOException("unexpected RESP type " + (char) type);
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("truncated reply");
      }
      sb.append((char) c);
    }
    in.read();
    return sb.toString();
  }
}
