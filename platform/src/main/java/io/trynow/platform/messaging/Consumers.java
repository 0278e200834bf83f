package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.platform.tracing.Tracing;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Starts supervised durable pull consumers. {@link #consume} declares the streams and the durable
 * consumer (create-or-update, when NATS is reachable), and runs its fetch loop under the {@link
 * Supervisor} as loop {@code consumer-<durable>}: it restarts after a failure, resumes after a NATS
 * outage, and stops cleanly on shutdown (stop fetching, let in-flight handlers finish up to the
 * grace period, nak the rest).
 *
 * <p>Each loop also reads its consumer's pending and ack-pending counts (server view) into gauges
 * every few seconds, and re-creates a consumer that vanished.
 */
public final class Consumers {

  private final Supplier<Connection> connection;
  private final Supervisor supervisor;
  private final Streams streams;
  private final DeadLetters deadLetters;
  private final MeterRegistry meters;
  private volatile Tracing tracing = Tracing.NOOP;

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
   * Runs every handler started from now on in a CONSUMER span, child of the trace context its
   * message carries ({@link Tracing}). Returns this.
   */
  public Consumers traced(Tracing tracing) {
    this.tracing = Objects.requireNonNull(tracing);
    return this;
  }

  /**
   * Runs {@code handler} for every message of the durable consumer described by {@code spec}.
   * Returns at once; the loop connects in the background. Stop it alone with {@link
   * LoopHandle#stop}, or all of them with {@link Supervisor#shutdown()}.
   */
  public LoopHandle consume(ConsumerSpec spec, MessageHandler handler) {
    Objects.requireNonNull(handler);
    AtomicLong pending = new AtomicLong();
    AtomicLong ackPending = new AtomicLong();
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
            new SupervisedConsumer(
                connection,
                streams,
                deadLetters,
                spec,
                handler,
                meters,
                tracing,
                pending,
                ackPending));
    return handle;
  }
}
