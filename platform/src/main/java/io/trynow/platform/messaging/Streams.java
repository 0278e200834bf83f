package io.trynow.platform.messaging;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.trynow.model.Subjects;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The five streams of DESIGN §3, declared as code: {@code TRYNOW_ACQUIRE}, {@code
 * TRYNOW_PROVISION}, {@code TRYNOW_CLEANUP} (work queue: a message is gone once acked or termed),
 * {@code TRYNOW_EVENTS} (limits, 24h) and {@code TRYNOW_DLQ} (limits, 14d), each with a
 * de-duplication window for {@code Nats-Msg-Id}.
 *
 * <p>Every stream is bounded in messages and bytes ({@link Bound}), so no storm grows one without
 * limit; what happens at the bound is chosen per stream: the work queues refuse new messages
 * (discard new: the publisher gets an error and the caller answers "busy", nothing queued is lost),
 * events and dead letters drop their oldest (discard old: the newest are kept; dead letters count
 * what was dropped, see {@link DeadLetters}).
 *
 * <p>Declaring is create-or-update and idempotent: any number of replicas may run it at the same
 * time. Consumers call {@link #ensureDeclared()} before creating their durable consumer, so a
 * service that starts while NATS is down declares its streams as soon as NATS is back.
 */
public final class Streams {

  private static final Logger LOG = Logger.getLogger(Streams.class);

  /** JetStream API error: a stream with this name exists with another configuration. */
  private static final int STREAM_NAME_IN_USE = 10058;

  /**
   * @param duplicateWindow how long a {@code Nats-Msg-Id} is remembered
   * @param eventsMaxAge retention of {@code TRYNOW_EVENTS}
   * @param deadLetterMaxAge retention of {@code TRYNOW_DLQ}
   * @param replicas stream replicas (1 on one server, 3 on a cluster)
   * @param storage file (production) or memory
   */
  public record Options(
      Duration duplicateWindow,
      Duration eventsMaxAge,
      Duration deadLetterMaxAge,
      int replicas,
      StorageType storage,
      Map<String, Bound> bounds) {

    public Options {
      Map<String, Bound> all = new java.util.LinkedHashMap<>(Bound.DEFAULTS);
      all.putAll(bounds);
      bounds = Map.copyOf(all);
    }

    /** With the default bounds. */
    public Options(
        Duration duplicateWindow,
        Duration eventsMaxAge,
        Duration deadLetterMaxAge,
        int replicas,
        StorageType storage) {
      this(duplicateWindow, eventsMaxAge, deadLetterMaxAge, replicas, storage, Map.of());
    }

    public static Options defaults() {
      return new Options(
          Duration.ofMinutes(2), Duration.ofHours(24), Duration.ofDays(14), 1, StorageType.File);
    }

    /** The bound of one stream. */
    public Bound bound(String stream) {
      return bounds.get(stream);
    }
  }

  /**
   * A stream's size bound.
   *
   * @param maxMessages most messages kept (≥ 1)
   * @param maxBytes most bytes kept (≥ 1)
   * @param discard what the server does at the bound: {@code New} refuses the publish, {@code Old}
   *     drops the oldest message
   */
  public record Bound(long maxMessages, long maxBytes, DiscardPolicy discard) {

    /** The defaults per stream name. */
    public static final Map<String, Bound> DEFAULTS =
        Map.of(
            Subjects.STREAM_ACQUIRE, new Bound(100_000, 128L << 20, DiscardPolicy.New),
            Subjects.STREAM_PROVISION, new Bound(10_000, 32L << 20, DiscardPolicy.New),
            Subjects.STREAM_CLEANUP, new Bound(100_000, 64L << 20, DiscardPolicy.New),
            Subjects.STREAM_EVENTS, new Bound(1_000_000, 512L << 20, DiscardPolicy.Old),
            Subjects.STREAM_DLQ, new Bound(10_000, 64L << 20, DiscardPolicy.Old));

    public Bound {
      if (maxMessages < 1 || maxBytes < 1 || discard == null) {
        throw new IllegalArgumentException("a stream bound needs max messages ≥ 1, max bytes ≥ 1");
      }
    }
  }

  private final Supplier<Connection> connection;
  private final Options options;
  private volatile boolean declared;

  public Streams(Supplier<Connection> connection, Options options) {
    this.connection = Objects.requireNonNull(connection);
    this.options = Objects.requireNonNull(options);
  }

  public Streams(Connection connection, Options options) {
    this(() -> connection, options);
  }

  /** The configurations of the five streams. */
  public static List<StreamConfiguration> definitions(Options o) {
    return List.of(
        workQueue(Subjects.STREAM_ACQUIRE, Subjects.ACQUIRE_ALL, o),
        workQueue(Subjects.STREAM_PROVISION, Subjects.PROVISION_ALL, o),
        workQueue(Subjects.STREAM_CLEANUP, Subjects.CLEANUP_ALL, o),
        limits(Subjects.STREAM_EVENTS, Subjects.EVENTS_ALL, o.eventsMaxAge(), o),
        limits(Subjects.STREAM_DLQ, Subjects.DLQ_ALL, o.deadLetterMaxAge(), o));
  }

  private static StreamConfiguration workQueue(String name, String subjects, Options o) {
    return StreamConfiguration.builder()
        .name(name)
        .subjects(subjects)
        .retentionPolicy(RetentionPolicy.WorkQueue)
        .maxMessages(o.bound(name).maxMessages())
        .maxBytes(o.bound(name).maxBytes())
        .discardPolicy(o.bound(name).discard())
        .storageType(o.storage())
        .replicas(o.replicas())
        .duplicateWindow(o.duplicateWindow())
        .build();
  }

  private static StreamConfiguration limits(
      String name, String subjects, Duration maxAge, Options o) {
    return StreamConfiguration.builder()
        .name(name)
        .subjects(subjects)
        .retentionPolicy(RetentionPolicy.Limits)
        .maxAge(maxAge)
        .maxMessages(o.bound(name).maxMessages())
        .maxBytes(o.bound(name).maxBytes())
        .discardPolicy(o.bound(name).discard())
        .storageType(o.storage())
        .replicas(o.replicas())
        .duplicateWindow(o.duplicateWindow())
        .build();
  }

  /** Declares the streams once per process (again after a failure). */
  public void ensureDeclared() throws IOException, JetStreamApiException {
    if (!declared) {
      declareAll();
    }
  }

  /** Creates each stream, or updates it when it exists with another configuration. */
  public synchronized void declareAll() throws IOException, JetStreamApiException {
    JetStreamManagement jsm = connection.get().jetStreamManagement();
    for (StreamConfiguration sc : definitions(options)) {
      declare(jsm, sc);
    }
    declared = true;
  }

  /** {@link #declareAll()} for a {@link Runnable} (a supervised loop); failures are thrown. */
  public void declareAllUnchecked() {
    try {
      declareAll();
    } catch (IOException | JetStreamApiException e) {
      throw new MessagingException(
          MessagingException.Kind.UNAVAILABLE, "declaring the streams failed: " + e, e);
    }
  }

  static void declare(JetStreamManagement jsm, StreamConfiguration sc)
      throws IOException, JetStreamApiException {
    try {
      jsm.addStream(sc); // identical config: a no-op success
      LOG.debugf("stream %s declared", sc.getName());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
        throw e;
      }
      jsm.updateStream(sc);
      LOG.infof("stream %s updated to the declared configuration", sc.getName());
    }
  }
}
