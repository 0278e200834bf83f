package io.trynow.platform.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.impl.Headers;
import io.trynow.model.Json;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The dead-letter stream {@code TRYNOW_DLQ}: storing (from consumers), listing, showing, replaying
 * and deleting dead letters. The admin HTTP endpoints call this API.
 *
 * <p>A message is dead-lettered exactly once, whichever path gets there and however many replicas
 * try: the copy to {@code trynow.dlq.<original subject>} carries the msg id {@code
 * dlq:<stream>:<sequence>}, so the give-up path, the MAX_DELIVERIES advisory path and N replicas
 * are de-duplicated by the server. Headers: the original ones plus {@code Trynow-Dlq-Subject},
 * {@code -Stream}, {@code -Sequence}, {@code -Deliveries}, {@code -Error}, {@code -Time}.
 *
 * <p>Replay publishes the original payload and headers to the original subject with the msg id
 * {@code replay:<dlq sequence>} (retrying a replay is de-duplicated) and {@code Trynow-Replay-Of:
 * <dlq sequence>}, and deletes the dead letter only after the PubAck.
 */
public final class DeadLetters {

  private static final Logger LOG = Logger.getLogger(DeadLetters.class);
  private static final int MAX_ERROR_LENGTH = 512;

  /** Which path dead-lettered a message (metric tag {@code source}). */
  public enum Source {
    /** The handler gave up, or failed on its last delivery. */
    GIVE_UP,
    /** The MAX_DELIVERIES advisory: the worker went silent on its last delivery. */
    MAX_DELIVERIES;

    String tag() {
      return name().toLowerCase();
    }
  }

  private final DeadLetterStream dlq;
  private final Publisher publisher;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Counter replays;
  private final Counter dropped;

  public DeadLetters(Supplier<Connection> connection, Publisher publisher, MeterRegistry meters) {
    this(connection, publisher, meters, Clock.systemUTC());
  }

  public DeadLetters(Connection connection, Publisher publisher, MeterRegistry meters) {
    this(() -> connection, publisher, meters, Clock.systemUTC());
  }

  DeadLetters(
      Supplier<Connection> connection, Publisher publisher, MeterRegistry meters, Clock clock) {
    this.dlq = new DeadLetterStream(connection);
    this.publisher = Objects.requireNonNull(publisher);
    this.meters = Objects.requireNonNull(meters);
    this.clock = clock;
    this.replays =
        Counter.builder(MetricNames.DEAD_LETTER_REPLAYS)
            .description("Dead letters replayed and deleted")
            .register(meters);
    this.dropped =
        Counter.builder(MetricNames.DEAD_LETTERS_DROPPED)
            .description("Old dead letters pushed out by new ones at the stream's bound")
            .register(meters);
  }

  /** The advisory subject the server publishes when {@code consumer} reaches MaxDeliver. */
  public static String maxDeliveriesAdvisory(String stream, String consumer) {
    return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + consumer;
  }

  /** The msg id of the dead letter of {@code stream}/{@code sequence}. */
  public static String deadLetterMsgId(String stream, long sequence) {
    return "dlq:" + stream + ":" + sequence;
  }

  // --- reading ------------------------------------------------------------------------------

  /** Up to {@code limit} (1..500) dead letters with a sequence above {@code afterSequence}. */
  public DeadLetterPage list(long afterSequence, int limit) {
    return list(afterSequence, limit, ">");
  }

  /**
   * Like {@link #list(long, int)}, only dead letters whose original subject matches {@code
   * originalSubject} (wildcards allowed, e.g. {@code trynow.provision.>}).
   */
  public DeadLetterPage list(long afterSequence, int limit, String originalSubject) {
    return dlq.list(afterSequence, limit, originalSubject);
  }

  /** The dead letter with this {@code TRYNOW_DLQ} sequence, if it exists. */
  public Optional<DeadLetter> show(long sequence) {
    return dlq.show(sequence);
  }

  /** Dead letters stored now. */
  public long count() {
    return dlq.count();
  }

  // --- replay and delete --------------------------------------------------------------------

  /**
   * Replays one dead letter (see the class comment). Empty when no dead letter has this sequence
   * (already replayed or deleted).
   *
   * @throws MessagingException when the publish fails; the dead letter is then kept
   */
  public Optional<PublishResult> replay(long sequence) {
    Optional<MessageInfo> found = dlq.fetch(Subjects.STREAM_DLQ, sequence);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    DeadLetter dl = DeadLetterStream.toDeadLetter(found.get());
    Headers headers = new Headers();
    dl.headers()
        .forEach((k, v) -> {
          if (!DeadLetterStream.isPlumbingHeader(k)) {
            headers.put(k, v);
          }
        });
    headers.put(io.trynow.model.Headers.REPLAY_OF, String.valueOf(sequence));
    PublishResult result =
        publisher.publishWithHeaders(
            dl.originalSubject(), "replay:" + sequence, headers, dl.data());
    delete(sequence);
    replays.increment();
    LOG.infof(
        "dead letter %d replayed to %s (stream seq %d%s)",
        sequence, dl.originalSubject(), result.sequence(), result.duplicate() ? ", duplicate" : "");
    return Optional.of(result);
  }

  /** Outcome of one replay in {@link #replayAll}. */
  public record ReplayResult(long sequence, boolean replayed, String error) {}

  /** Replays each sequence in turn; one failure does not stop the others. */
  public List<ReplayResult> replayAll(Collection<Long> sequences) {
    List<ReplayResult> out = new ArrayList<>();
    for (long seq : sequences) {
      try {
        boolean done = replay(seq).isPresent();
        out.add(new ReplayResult(seq, done, done ? null : "not found"));
      } catch (RuntimeException e) {
        out.add(new ReplayResult(seq, false, e.getMessage()));
      }
    }
    return out;
  }

  /** Deletes a dead letter; false if it did not exist. */
  public boolean delete(long sequence) {
    return dlq.delete(sequence);
  }

  // --- storing (consumers) ------------------------------------------------------------------

  /**
   * Copies a delivered message to the dead-letter stream (give-up path). The caller terms the
   * message after this returns. True if stored now, false if it was already there.
   */
  public boolean store(Delivery delivery, String error) {
    Message m = delivery.message();
    return store(
        m.getSubject(),
        m.getHeaders(),
        m.getData(),
        delivery.stream(),
        delivery.streamSequence(),
        delivery.deliveryCount(),
        error,
        Source.GIVE_UP);
  }

  /**
   * The MAX_DELIVERIES advisory path: fetches the original by stream sequence, stores it, and
   * removes it from a work-queue stream (where it would otherwise stay). False when the original is
   * gone already (acked late, or handled by another replica).
   */
  public boolean onMaxDeliveries(String stream, long sequence, long deliveries) {
    Optional<MessageInfo> original = dlq.fetch(stream, sequence);
    if (original.isEmpty()) {
      LOG.debugf("max deliveries of %s/%d: original already gone", stream, sequence);
      return false;
    }
    MessageInfo mi = original.get();
    boolean stored =
        store(
            mi.getSubject(),
            mi.getHeaders(),
            mi.getData(),
            stream,
            sequence,
            deliveries,
            "max deliveries (" + deliveries + ") reached without an ack: the worker died or hung",
            Source.MAX_DELIVERIES);
    if (dlq.retention(stream) == RetentionPolicy.WorkQueue) {
      dlq.removeOriginal(stream, sequence);
    }
    return stored;
  }

  /** Handles one raw MAX_DELIVERIES advisory message; false if it was not for a live message. */
  public boolean onAdvisory(Message advisory) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(advisory.getData());
    } catch (IOException e) {
      LOG.warnf("unreadable advisory on %s", advisory.getSubject());
      return false;
    }
    String stream = n.path("stream").asText(null);
    long seq = n.path("stream_seq").asLong(0);
    long deliveries = n.path("deliveries").asLong(0);
    if (stream == null || seq <= 0) {
      LOG.warnf("advisory without stream/stream_seq on %s", advisory.getSubject());
      return false;
    }
    return onMaxDeliveries(stream, seq, deliveries);
  }

  private boolean store(
      String subject,
      Headers original,
      byte[] data,
      String stream,
      long sequence,
      long deliveries,
      String error,
      Source source) {
    Headers h = new Headers();
    if (original != null) {
      original.entrySet().stream()
          .filter(e -> !DeadLetterStream.isPlumbingHeader(e.getKey()))
          .forEach(e -> h.put(e.getKey(), e.getValue()));
    }
    h.put(io.trynow.model.Headers.DLQ_SUBJECT, subject);
    h.put(io.trynow.model.Headers.DLQ_STREAM, stream);
    h.put(io.trynow.model.Headers.DLQ_SEQUENCE, String.valueOf(sequence));
    h.put(io.trynow.model.Headers.DLQ_DELIVERIES, String.valueOf(deliveries));
    h.put(io.trynow.model.Headers.DLQ_ERROR, headerSafe(error));
    h.put(io.trynow.model.Headers.DLQ_TIME, clock.instant().toString());
    boolean full = dlq.atBound(data == null ? 0 : data.length);
    PublishResult r =
        publisher.publishWithHeaders(
            Subjects.deadLetter(subject), deadLetterMsgId(stream, sequence), h, data);
    if (r.duplicate()) {
      LOG.debugf("%s/%d was already dead-lettered (dlq seq %d)", stream, sequence, r.sequence());
      return false;
    }
    if (full) {
      dropped.increment();
      LOG.warnf("dead-letter stream at its bound: the oldest dead letter was dropped");
    }
    Counter.builder(MetricNames.DEAD_LETTERS)
        .description("Messages dead-lettered")
        .tag(MetricNames.TAG_STREAM, stream)
        .tag(MetricNames.TAG_SOURCE, source.tag())
        .register(meters)
        .increment();
    LOG.warnf(
        "dead-lettered %s/%d (%s, %d deliveries) as dlq seq %d: %s",
        stream, sequence, subject, deliveries, r.sequence(), error);
    return true;
  }

  private static String headerSafe(String s) {
    String v = s == null ? "unknown" : s;
    StringBuilder b = new StringBuilder(Math.min(v.length(), MAX_ERROR_LENGTH));
    for (int i = 0; i < v.length() && b.length() < MAX_ERROR_LENGTH; i++) {
      char c = v.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return b.toString();
  }
}
