package io.trynow.platform.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.api.StorageType;
import io.quarkus.runtime.StartupEvent;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.platform.tracing.Tracing;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.Supplier;

/** CDI beans of the JetStream plumbing; the classes themselves are plain Java. */
@Singleton
public class MessagingProducer {

  private static Supplier<Connection> source(NatsClient nats) {
    return nats::awaitConnection;
  }

  @Produces
  @Singleton
  Streams streams(NatsClient nats, MessagingConfig config) {
    if (config.replicas() < 1) {
      throw new IllegalArgumentException("trynow.messaging.replicas must be >= 1");
    }
    return new Streams(
        source(nats),
        new Streams.Options(
            config.duplicateWindow(),
            config.eventsMaxAge(),
            config.deadLetterMaxAge(),
            config.replicas(),
            StorageType.File,
            StreamBounds.from(config.bounds())));
  }

  @Produces
  @Singleton
  Publisher publisher(
      NatsClient nats,
      Streams streams,
      MessagingConfig config,
      MeterRegistry meters,
      Tracing tracing) {
    if (config.publishAttempts() < 1) {
      throw new IllegalArgumentException("trynow.messaging.publish-attempts must be >= 1");
    }
    return new Publisher(
            source(nats),
            streams,
            new Publisher.Options(config.pubAckTimeout(), config.publishAttempts()),
            meters)
        .traced(tracing);
  }

  @Produces
  @Singleton
  DeadLetters deadLetters(NatsClient nats, Publisher publisher, MeterRegistry meters) {
    return new DeadLetters(source(nats), publisher, meters);
  }

  /**
   * Declares the streams at startup and again every {@link #REDECLARE_PERIOD} (a supervised loop,
   * so a NATS that is down at startup, or comes back empty, gets its streams as soon as it is up).
   */
  void declareStreams(@Observes StartupEvent ev, Supervisor supervisor, Streams streams) {
    supervisor.every("declare-streams", REDECLARE_PERIOD, streams::declareAllUnchecked);
  }

  /** How often the streams are declared again (create-or-update is idempotent). */
  public static final Duration REDECLARE_PERIOD = Duration.ofMinutes(5);

  @Produces
  @Singleton
  Consumers consumers(
      NatsClient nats,
      Supervisor supervisor,
      Streams streams,
      DeadLetters deadLetters,
      MeterRegistry meters,
      Tracing tracing) {
    return new Consumers(source(nats), supervisor, streams, deadLetters, meters).traced(tracing);
  }
}
