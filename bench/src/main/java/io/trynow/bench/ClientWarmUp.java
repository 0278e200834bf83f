package io.trynow.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Warms the bench's own visitors before a crowd: {@link Visitor#visit} against a stand-in of the
 * gateway and Caddy inside the bench's JVM (queued answer, event stream, status read, page), so
 * that the JDK HTTP client's code is compiled before the first click. The visitors share the two
 * cores with the stack and the engine, while the floor's {@code docker run} loops run no JVM: their
 * compiling during the crowd is the bench's cost, not the stack's. Nothing reaches the stack.
 */
final class ClientWarmUp {

  private ClientWarmUp() {}

  /** {@code visits} visits in waves of {@code parallel} at once; returns the seconds it took. */
  static double run(HttpClient http, int visits, int parallel) throws Exception {
    long t0 = System.nanoTime();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(handlers);
    int port = server.getAddress().getPort();
    String demo = "{\"id\":\"iwarmup\",\"url\":\"http://iwarmup.demo.localhost:" + port + "/\"}";
    server.createContext(
        "/v1/demos",
        x ->
            answer(
                x,
                202,
                "application/json",
                "{\"request_id\":\"rwarmup\",\"access_token\":\"t\","
                    + "\"events_url\":\"/v1/requests/rwarmup/events?ticket=t\"}"));
    server.createContext(
        "/v1/requests/",
        x -> {
          if (x.getRequestURI().getPath().endsWith("/events")) {
            answer(
                x,
                200,
                "text/event-stream",
                "id: 1\nevent: queued\ndata: {\"position\":1}\n\n"
                    + "id: 2\nevent: assigned\ndata: "
                    + demo
                    + "\n\n");
          } else {
            answer(x, 200, "application/json", "{\"status\":\"assigned\",\"demo\":" + demo + "}");
          }
        });
    server.createContext("/", x -> answer(x, 200, "text/html", "<p>warm-up</p>"));
    server.start();
    try (ExecutorService visitors = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int done = 0; done < visits; done += parallel) {
        java.util.List<java.util.concurrent.Future<?>> wave = new java.util.ArrayList<>();
        for (int i = done; i < Math.min(visits, done + parallel); i++) {
          wave.add(
              visitors.submit(
                  () -> Visitor.visit(http, port, CrowdBench.TEMPLATE, Duration.ofSeconds(30))));
        }
        for (java.util.concurrent.Future<?> f : wave) {
          f.get();
        }
      }
    } finally {
      server.stop(0);
      handlers.close();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void answer(HttpExchange x, int status, String type, String body)
      throws IOException {
    x.getRequestBody().readAllBytes();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("content-type", type);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }
}
