package io.trynow.samples.shop;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A very small HTTP/1.1 server (one request per connection, bodies up to 64 KiB) on a virtual
 * thread per connection. The JRE base image has no {@code jdk.httpserver} module, and the sample
 * needs nothing more.
 */
final class MiniHttp {

  static final int MAX_HEAD = 16 * 1024;
  static final int MAX_BODY = 64 * 1024;

  record Request(String method, String path, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  record Response(int status, String contentType, byte[] body) {
    static Response text(int status, String s) {
      return new Response(status, "text/plain; charset=utf-8", s.getBytes(StandardCharsets.UTF_8));
    }

    static Response json(int status, String s) {
      return new Response(status, "application/json", s.getBytes(StandardCharsets.UTF_8));
    }

    static Response html(String s) {
      return new Response(200, "text/html; charset=utf-8", s.getBytes(StandardCharsets.UTF_8));
    }
  }

  interface Handler {
    Response handle(Request r) throws Exception;
  }

  private MiniHttp() {}

  static void serve(String host, int port, Handler handler) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(host, port), 256);
      while (true) {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> exchange(s, handler));
      }
    }
  }

  private static void exchange(Socket s, Handler handler) {
    try (s) {
      s.setSoTimeout(15_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      Response resp;
      Request req = read(in);
      if (req == null) {
        resp = Response.text(400, "bad request\n");
      } else {
        try {
          resp = handler.handle(req);
        } catch (Exception e) {
          System.err.println("shop: " + req.method() + " " + req.path() + " failed: " + e);
          resp = Response.text(500, "internal error\n");
        }
      }
      write(s.getOutputStream(), resp);
    } catch (IOException e) {
      // the client went away
    }
  }

  private static Request read(InputStream in) throws IOException {
    String head = readHead(in);
    if (head == null) {
      return null;
    }
    String[] lines = head.split("\r\n");
    String[] first = lines[0].split(" ");
    if (first.length != 3) {
      return null;
    }
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        headers.put(
            lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(c + 1).trim());
      }
    }
    int length = 0;
    String cl = headers.get("content-length");
    if (cl != null) {
      try {
        length = Integer.parseInt(cl);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (length < 0 || length > MAX_BODY) {
      return null;
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      return null;
    }
    String path = first[1];
    int q = path.indexOf('?');
    return new Request(first[0], q < 0 ? path : path.substring(0, q), headers, body);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int state = 0;
    while (buf.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      buf.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (b == '\r' ? 1 : 0);
      if (state == 4) {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
      }
    }
    return null;
  }

  private static void write(OutputStream out, Response r) throws IOException {
    String head =
        "HTTP/1.1 "
            + r.status()
            + " "
            + reason(r.status())
            + "\r\nContent-Type: "
            + r.contentType()
            + "\r\nContent-Length: "
            + r.body().length
            + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(r.body());
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      default -> status >= 500 ? "Server Error" : "Status";
    };
  }
}
