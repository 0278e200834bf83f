package io.trynow.platform.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.trynow.platform.supervisor.Backoff;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.testsupport.NatsServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The plumbing wired by hand on a real nats-server, as a service (or the benchmark) does. */
final class Fixture implements AutoCloseable {

  private static final AtomicInteger SEQ = new AtomicInteger();

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Connection connection;
  final Streams streams;
  final Publisher publisher;
  final DeadLetters deadLetters;
  final Supervisor supervisor;
  final Consumers consumers;

  Fixture(NatsServer nats) throws Exception {
    this(nats, Duration.ofSeconds(5));
  }

  Fixture(NatsServer nats, Duration grace) throws Exception {
    this(nats.url(), Streams.Options.defaults(), grace);
  }

  /** On the servers of {@code urls} (comma-separated seeds, as trynow.nats.url takes them). */
  Fixture(String urls, Streams.Options streamOptions, Duration grace) throws Exception {
    connection =
        Nats.connect(
            new Options.Builder()
                .server(urls)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(100))
                .build());
    streams = new Streams(connection, streamOptions);
    streams.declareAll();
    publisher =
        new Publisher(
            () -> connection, streams, new Publisher.Options(Duration.ofSeconds(2), 3), meters);
    deadLetters = new DeadLetters(connection, publisher, meters);
    supervisor =
        new Supervisor(
            Supervisor.Options.defaults()
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 0.2))
                .withShutdownGrace(grace),
            meters);
    consumers = new Consumers(connection, supervisor, streams, deadLetters, meters);
  }

  /** A template-like token unique in this JVM, so tests never share subjects or durables. */
  static String unique(String base) {
    return base + SEQ.incrementAndGet();
  }

  /** Publishes with the same msg id until the server acknowledges it, for at most {@code limit}. */
  static void publishUntilAcked(
      Publisher p, String subject, String msgId, byte[] data, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        p.publish(subject, msgId, null, data);
        return;
      } catch (MessagingException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }
  }

  double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Override
  public void close() throws Exception {
    supervisor.shutdown();
    connection.close();
  }
}
