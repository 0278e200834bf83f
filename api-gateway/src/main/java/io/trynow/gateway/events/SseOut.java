package io.trynow.gateway.events;

import io.trynow.model.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Writes to one SSE connection; every write waits for the client (slow clients are dropped). */
final class SseOut {

  private static final long SEND_TIMEOUT_SECONDS = 10;

  private final SseEventSink sink;
  private final Sse sse;
  private volatile boolean broken;

  SseOut(SseEventSink sink, Sse sse) {
    this.sink = sink;
    this.sse = sse;
  }

  /** Sends an event; {@code id} null for events that are not in the stream (warnings). */
  boolean event(Long id, String name, Object data) {
    OutboundSseEvent.Builder b =
        sse.newEventBuilder()
            .name(name)
            .mediaType(MediaType.APPLICATION_JSON_TYPE)
            .data(new String(Json.write(data), StandardCharsets.UTF_8));
    if (id != null) {
      b.id(Long.toString(id));
    }
    return send(b.build());
  }

  boolean comment(String text) {
    return send(sse.newEventBuilder().comment(text).build());
  }

  boolean isOpen() {
    return !broken && !sink.isClosed();
  }

  private boolean send(OutboundSseEvent e) {
    if (!isOpen()) {
      return false;
    }
    try {
      sink.send(e).toCompletableFuture().get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      broken = true;
      return false;
    } catch (Exception ex) {
      broken = true;
      return false;
    }
  }

  void close() {
    try {
      sink.close();
    } catch (RuntimeException e) {
      // Already closed by the client.
    }
  }
}
