package io.trynow.gateway.events;

import io.nats.client.Connection;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The part of a queued visitor's event stream that the startup warm-up can walk without changing
 * anything ({@code io.trynow.gateway.rest.CrowdWarmUp}): a request's feed opened and closed (an
 * ordered, ephemeral JetStream consumer on a request id nobody has: no message is delivered, none
 * is stored), and each kind of request event the stream tells a waiting visitor (queued, position,
 * assigned, expired) read from its JSON as the feed reads it, paced ({@link PositionPacer}) and
 * written as {@link SseOut} writes it. Until this warm-up, the first flash crowd after a start was
 * where the gateway met all of it for the first time: Jackson introspecting {@link RequestEvent}
 * and {@link EventView} (annotation proxies and records' components, classes spun at run time), the
 * JetStream client's consumer creation, with the compilers busy on it while the Docker engine
 * needed the two cores (docs/ARCHITECTURE.md "Flash crowds").
 */
public final class StreamWarmUp {

  private StreamWarmUp() {}

  /**
   * One pass for a fresh request id {@code rid} of {@code template}; {@code c} null: without the
   * feed (NATS not connected). Returns the bytes of the events it wrote (none sent anywhere).
   */
  public static int run(Connection c, String rid, String template) throws Exception {
    Ids.requireRequest(rid);
    if (c != null) {
      try (EventFeed<RequestEvent> feed = EventFeed.request(c, rid, 0)) {
        if (feed.next(Duration.ofMillis(1)).isPresent()) {
          throw new IllegalStateException("request " + rid + " of the warm-up has events");
        }
      }
    }
    long expires = System.currentTimeMillis() + 60_000;
    List<RequestEvent> told =
        List.of(
            RequestEvent.queued(rid, template, 3, 9),
            RequestEvent.position(rid, template, 2, 6),
            RequestEvent.position(rid, template, 1, 3),
            RequestEvent.assigned(
                rid, template, Ids.newInstanceId(), "http://warm-up.invalid/", expires),
            RequestEvent.expired(rid, template));
    PositionPacer<RequestEvent> pacer = new PositionPacer<>(Duration.ofSeconds(1));
    int bytes = 0;
    long sequence = 0;
    for (RequestEvent e : told) {
      RequestEvent read = Json.read(Json.write(e), RequestEvent.class);
      Instant now = Instant.now();
      pacer.wakeAt(now.plusSeconds(15));
      if (read.kind() != RequestEventKind.POSITION) {
        pacer.overtaken();
      } else if (!pacer.tellNow(read, now)) {
        read = pacer.takeDue(now.plusSeconds(1));
      }
      sequence++;
      bytes +=
          new String(Json.write(EventView.of(read)), StandardCharsets.UTF_8).length()
              + Long.toString(sequence).length();
      pacer.told(now);
    }
    return bytes;
  }
}
