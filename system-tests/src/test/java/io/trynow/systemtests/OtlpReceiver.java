package io.trynow.systemtests;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in OpenTelemetry collector: an OTLP/HTTP endpoint ({@code http/protobuf}) on loopback
 * that answers every export with 200 and an empty {@code ExportTraceServiceResponse} (zero bytes is
 * a valid empty message) and keeps the request bodies. The services' real OTLP exporters send to
 * it; the test looks for a trace id (16 raw bytes) and a service name in what arrived, without
 * decoding protobuf.
 */
final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<byte[]> exports = new CopyOnWriteArrayList<>();

  OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        ex -> {
          try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
              body = new GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
            }
            exports.add(body);
          }
          ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
  }

  /** The base URL to give as the OTLP endpoint. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Export requests received so far. */
  int exports() {
    return exports.size();
  }

  /**
   * True when one export from {@code service} (its {@code service.name} resource attribute) carries
   * a span of trace {@code traceIdHex}.
   */
  boolean hasSpan(String service, String traceIdHex) {
    byte[] trace = HexFormat.of().parseHex(traceIdHex);
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    for (byte[] b : exports) {
      if (indexOf(b, name) >= 0 && indexOf(b, trace) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
