package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.platform.supervisor.Supervisor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Starts supervised durable pull consumers. {@link #consume} declares the streams and the durable
 * consumer (create-or-update, when NATS is reachable), and runs its fetch loop under the {@link
 * Supervisor} as loop {@code consumer-<durable>}: it restarts after a failure, resumes after a NATS
 * outage, and stops cleanly on shutdown (stop fetching, let in-flight handlers finish up to the
 * grace period, nak the rest).
 *
 * <p>Also runs the loop {@code consumer-stats}, which publishes each consumer's pending and
 * ack-pending counts (server view) as gauges every {@link #STATS_PERIOD}.
 */
public final class Consumers {

  /** How often consumer pending/ack-pending gauges are refreshed. */
  public static final Duration STATS_PERIOD = Duration.ofSeconds(10);

  private final Supplier<Connection> connection;
  private final Supervisor supervisor;
  private final Streams streams;
  private final DeadLetters deadLetters;
  private final MeterRegistry meters;
  private final Map<String, ConsumerSpec> specs = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> stats = new ConcurrentHashMap<>();
  private boolean statsLoopStarted;

  public Consumers(
      Supplier<Connection> connection,
      Supervisor supervisor,
      Streams streams,
      DeadLetters deadLetters,
      MeterRegistry meters) {
    this.connection = Objects.requireNonNull(connection);
    this.supervisor = Objects.requireNonNull(supervisor);
    this.streams = Objects.requireNonNull(streams);
    this.deadLetters = Objects.requireNonNull(deadLetters);
    this.meters = Objects.requireNonNull(meters);
  }

  public Consumers(
      Connection connection,
      Supervisor supervisor,
      Streams streams,
      DeadLetters deadLetters,
      MeterRegistry meters) {
    this(() -> connection, supervisor, streams, deadLetters, meters);
  }

  /**
   * Runs {@code handler} for every message of the durable consumer described by {@code spec}.
   * Returns at once; the loop connects in the background. Stop it alone with {@link
   * LoopHandle#stop}, or all of them with {@link Supervisor#shutdown()}.
   */
  public LoopHandle consume(ConsumerSpec spec, MessageHandler handler) {
    Objects.requireNonNull(handler);
    specs.put(spec.durable(), spec);
    AtomicLong pending = new AtomicLong();
    AtomicLong ackPending = new AtomicLong();
    stats.put(spec.durable(), new AtomicLong[] {pending, ackPending});
    Gauge.builder(MetricNames.CONSUMER_PENDING, pending, AtomicLong::get)
        .description("Messages not yet delivered to the consumer")
        .tag(MetricNames.TAG_CONSUMER, spec.durable())
        .register(meters);
    Gauge.builder(MetricNames.CONSUMER_ACK_PENDING, ackPending, AtomicLong::get)
        .description("Messages delivered and not yet acknowledged")
        .tag(MetricNames.TAG_CONSUMER, spec.durable())
        .register(meters);
    LoopHandle handle =
        supervisor.run(
            "consumer-" + spec.durable(),
            new SupervisedConsumer(connection, streams, deadLetters, spec, handler, meters));
    startStatsLoop();
    return handle;
  }

  private synchronized void startStatsLoop() {
    if (!statsLoopStarted) {
      statsLoopStarted = true;
      supervisor.every("consumer-stats", STATS_PERIOD, this::refreshStats);
    }
  }

  /** Reads pending and ack-pending of every consumer from the server into the gauges. */
  public void refreshStats() {
    Connection c = connection.get();
    if (c.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    for (ConsumerSpec spec : specs.values()) {
      try {
        ConsumerInfo info = c.jetStreamManagement().getConsumerInfo(spec.stream(), spec.durable());
        AtomicLong[] s = stats.get(spec.durable());
        s[0].set(info.getNumPending());
        s[1].set(info.getNumAckPending());
      } catch (io.nats.client.JetStreamApiException e) {
        // Not created yet: its fetch loop will create it.
      } catch (java.io.IOException e) {
        throw new MessagingException(
            MessagingException.Kind.UNAVAILABLE, "consumer info of " + spec.durable(), e);
      }
    }
  }
}
