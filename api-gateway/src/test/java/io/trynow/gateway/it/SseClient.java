package io.trynow.gateway.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal Server-Sent Events client for tests: events arrive on a queue as they are parsed. */
public final class SseClient implements AutoCloseable {

  /** One event; {@code id} null when the server sent none. */
  public record Event(String id, String name, String data) {}

  private static final Event END = new Event(null, "<end>", null);

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final int status;
  private final String body;
  private final Stream<String> lines;
  private final Thread reader;
  private volatile long endedAtNanos;

  private SseClient(HttpResponse<Stream<String>> response) {
    this.status = response.statusCode();
    this.lines = response.body();
    if (status != 200) {
      this.body = String.join("\n", lines.toList());
      this.reader = null;
      return;
    }
    this.body = null;
    this.reader = Thread.ofVirtual().start(this::read);
  }

  public static SseClient open(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
    headers.forEach(b::header);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return new SseClient(http.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
  }

  private void read() {
    String id = null;
    String name = null;
    StringBuilder data = null;
    try {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data != null || name != null) {
            events.add(
                new Event(
                    id, name == null ? "message" : name, data == null ? null : data.toString()));
          }
          id = null;
          name = null;
          data = null;
        } else if (line.startsWith(":")) {
          events.add(new Event(null, ":comment", line.substring(1).strip()));
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          name = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          String d = line.substring(5).strip();
          data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
        }
      }
    } catch (RuntimeException e) {
      // Closed by us or by the server.
    } finally {
      endedAtNanos = System.nanoTime();
      events.add(END);
    }
  }

  public int status() {
    return status;
  }

  public String errorBody() {
    return body;
  }

  /** The next event that is not a comment, or null when none came within {@code wait}. */
  public Event next(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Event e = events.poll(left, TimeUnit.NANOSECONDS);
      if (e == null) {
        return null;
      }
      if (e == END) {
        events.add(END);
        return null;
      }
      if (!e.name().equals(":comment")) {
        return e;
      }
    }
  }

  /** Events (comments skipped) until one named {@code name} arrived; fails after {@code wait}. */
  public List<Event> until(String name, Duration wait) throws InterruptedException {
    List<Event> seen = new ArrayList<>();
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      Event e = next(Duration.ofNanos(deadline - System.nanoTime()));
      if (e == null) {
        break;
      }
      seen.add(e);
      if (e.name().equals(name)) {
        return seen;
      }
    }
    throw new AssertionError("no '" + name + "' event within " + wait + "; saw " + seen);
  }

  /** True once the server closed the stream. */
  public boolean ended() {
    return endedAtNanos != 0;
  }

  public long endedAtNanos() {
    return endedAtNanos;
  }

  @Override
  public void close() {
    lines.close();
    if (reader != null) {
      reader.interrupt();
    }
  }
}
