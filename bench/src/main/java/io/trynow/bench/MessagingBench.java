package io.trynow.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.MessageHandler;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.messaging.Streams;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.testsupport.NatsServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The messaging plumbing on a real nats-server (started here, JetStream on file storage): publish
 * with PubAck, end-to-end publish → supervised handler → ack at a fixed rate, the gateway-style
 * round trip (JetStream publish, consumer, core reply), and the raw floor — a core NATS
 * request/reply — measured in the same run.
 *
 * <p>{@code ./trynow bench messaging [messages] [rate/s]} (defaults 5000 and 1000).
 */
public final class MessagingBench {

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    try (NatsServer server = new NatsServer()) {
      server.start();
      try (Connection nc =
          Nats.connect(new Options.Builder().server(server.url()).maxReconnects(-1).build())) {
        run(nc, messages, rate);
      }
    }
  }

  private static void run(Connection nc, int messages, int rate) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    new Streams(nc, Streams.Options.defaults()).declareAll();
    Publisher publisher = new Publisher(nc, Publisher.Options.defaults(), meters);
    DeadLetters deadLetters = new DeadLetters(nc, publisher, meters);
    Supervisor supervisor = new Supervisor(Supervisor.Options.defaults(), meters);
    Consumers consumers =
        new Consumers(
            nc, supervisor, new Streams(nc, Streams.Options.defaults()), deadLetters, meters);

    System.out.printf(
        "messaging bench: nats-server %s, %d messages per figure, e2e at %d msg/s, 1 client%n",
        nc.getServerInfo().getVersion(), messages, rate);

    // Raw floor: core request/reply against an echo responder on the same connection.
    Dispatcher echo = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
    echo.subscribe("bench.echo");
    nc.flush(Duration.ofSeconds(2));
    byte[] small = new byte[64];
    Stats floor = new Stats("core request/reply RTT (floor)");
    measure(
        floor,
        messages / 5,
        messages,
        () -> publisher.request("bench.echo", null, small, Duration.ofSeconds(2)));

    // Publish with PubAck, sequential (what every producer does per message).
    String pubSubject = Subjects.cleanup("i" + "b".repeat(19));
    Stats pub = new Stats("JetStream publish + PubAck");
    int[] seq = {0};
    measure(
        pub,
        messages / 5,
        messages,
        () -> publisher.publishWithHeaders(pubSubject, "pub-" + seq[0]++, new Headers(), small));

    // End to end: publish -> supervised consumer -> handler -> ack confirmed, at a fixed rate,
    // after a warm-up at the same rate (consumer started, JIT warm) that is not recorded.
    String e2eSubject = Subjects.provision("bench-e2e");
    Stats e2e = new Stats("publish -> handler -> ack (e2e)");
    Stats toHandler = new Stats("publish -> handler start");
    int warmup = Math.max(500, messages / 5);
    CountDownLatch all = new CountDownLatch(warmup + messages);
    consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, "bench-e2e", e2eSubject)
            .concurrency(16)
            .pollWait(Duration.ofMillis(100))
            .build(),
        new MessageHandler() {
          @Override
          public Outcome handle(Delivery d) {
            ByteBuffer b = ByteBuffer.wrap(d.data());
            if (b.getInt(8) >= warmup) {
              toHandler.record(System.nanoTime() - b.getLong(0));
            }
            return Outcome.done();
          }

          @Override
          public void afterSettle(Delivery d, String settlement) {
            ByteBuffer b = ByteBuffer.wrap(d.data());
            if (b.getInt(8) >= warmup) {
              e2e.record(System.nanoTime() - b.getLong(0));
            }
            all.countDown();
          }
        });
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    for (int i = 0; i < warmup + messages; i++) {
      if (i == warmup) {
        e2e.start();
        toHandler.start();
      }
      long wait = start + i * interval - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      byte[] body = ByteBuffer.allocate(64).putLong(0, System.nanoTime()).putInt(8, i).array();
      publisher.publishWithHeaders(e2eSubject, "e2e-" + i, new Headers(), body);
    }
    if (!all.await(60, TimeUnit.SECONDS)) {
      e2e.error();
    }
    e2e.stop();
    toHandler.stop();

    // Gateway-style round trip: the gateway's acquire request (JSON) published with a reply inbox,
    // the consumer answers (core).
    String rtSubject = Subjects.acquire("bench-rt");
    consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_ACQUIRE, "bench-rt", rtSubject)
            .concurrency(16)
            .pollWait(Duration.ofMillis(100))
            .build(),
        d -> {
          publisher.reply(d, small);
          return Outcome.done();
        });
    Stats rt = new Stats("publish + consumer + core reply");
    int[] rtSeq = {0};
    measure(
        rt,
        messages / 5,
        messages,
        () -> {
          AcquireRequest req =
              new AcquireRequest(
                  Ids.newRequestId(), "bench-rt", "127.0.0.1", "-", rtSeq[0]++, null);
          if (publisher.publishAndAwaitReply(req, Duration.ofSeconds(5)).isEmpty()) {
            throw new IllegalStateException("no reply");
          }
        });

    supervisor.shutdown(Duration.ofSeconds(5));
    System.out.println();
    floor.print(System.out);
    pub.print(System.out);
    toHandler.print(System.out);
    e2e.print(System.out);
    rt.print(System.out);
  }

  private interface Op {
    void run() throws Exception;
  }

  private static void measure(Stats stats, int warmup, int n, Op op) {
    for (int i = 0; i < warmup; i++) {
      try {
        op.run();
      } catch (Exception e) {
        // warm-up only
      }
    }
    stats.start();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      try {
        op.run();
        stats.record(System.nanoTime() - t0);
      } catch (Exception e) {
        stats.error();
      }
    }
    stats.stop();
  }
}
