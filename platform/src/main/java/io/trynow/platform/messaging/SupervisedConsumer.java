package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.trynow.model.Headers;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.Loop;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The fetch loop of one durable pull consumer, run by the Supervisor. One iteration: handle pending
 * MAX_DELIVERIES advisories, send {@code in-progress} for running handlers that are due, then take
 * one message (if a handler slot is free) and start its handler on a virtual thread. The slots (a
 * semaphore of {@code concurrency}) and the in-flight set outlive a restart of the loop; the
 * server-side consumer, its iterator and the advisory subscription are re-opened.
 */
final class SupervisedConsumer implements Loop {

  private static final Logger LOG = Logger.getLogger(SupervisedConsumer.class);
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

  private final Supplier<Connection> connection;
  private final Streams streams;
  private final DeadLetters deadLetters;
  private final ConsumerSpec spec;
  private final MessageHandler handler;
  private final RetryPolicy policy;
  private final Semaphore slots;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private final ThreadFactory handlerThreads;
  private final MeterRegistry meters;
  private final Counter redelivered;
  private final Counter handlerErrors;

  private IterableConsumer iterator;
  private Subscription advisories;

  SupervisedConsumer(
      Supplier<Connection> connection,
      Streams streams,
      DeadLetters deadLetters,
      ConsumerSpec spec,
      MessageHandler handler,
      MeterRegistry meters) {
    this.connection = connection;
    this.streams = streams;
    this.deadLetters = deadLetters;
    this.spec = spec;
    this.handler = handler;
    this.policy = spec.retryPolicy();
    this.slots = new Semaphore(spec.concurrency());
    this.handlerThreads = Thread.ofVirtual().name(spec.durable() + "-handler-", 0).factory();
    this.meters = meters;
    this.redelivered =
        Counter.builder(MetricNames.MESSAGES_REDELIVERED)
            .description("Deliveries with a delivery count above one")
            .tag(MetricNames.TAG_CONSUMER, spec.durable())
            .register(meters);
    this.handlerErrors =
        Counter.builder(MetricNames.HANDLER_ERRORS)
            .description("Handlers that threw")
            .tag(MetricNames.TAG_CONSUMER, spec.durable())
            .register(meters);
    Gauge.builder(MetricNames.CONSUMER_IN_FLIGHT, inFlight, Set::size)
        .description("Handlers running now")
        .tag(MetricNames.TAG_CONSUMER, spec.durable())
        .register(meters);
  }

  /** Handlers running now. */
  int inFlight() {
    return inFlight.size();
  }

  @Override
  public void open() throws Exception {
    Connection c = connection.get();
    streams.ensureDeclared();
    c.jetStreamManagement().addOrUpdateConsumer(spec.stream(), spec.toConfiguration());
    // Subscribed (and flushed) before the first pull, so no advisory of ours is missed; the queue
    // group hands each advisory to one replica (the dlq msg id covers the rest).
    advisories =
        c.subscribe(
            DeadLetters.maxDeliveriesAdvisory(spec.stream(), spec.durable()),
            "trynow-dlq-" + spec.durable());
    c.flush(Duration.ofSeconds(5));
    iterator =
        c.jetStream()
            .getConsumerContext(spec.stream(), spec.durable())
            .iterate(
                ConsumeOptions.builder().batchSize(spec.concurrency()).expiresIn(5000).build());
    LOG.infof(
        "consumer %s on %s (%s) started: concurrency %d, ack wait %s, max deliver %d",
        spec.durable(),
        spec.stream(),
        spec.filterSubject(),
        spec.concurrency(),
        spec.ackWait(),
        spec.maxDeliver());
  }

  @Override
  public void iterate() throws Exception {
    handleAdvisories();
    sendHeartbeats();
    if (!slots.tryAcquire(spec.pollWait().toNanos(), TimeUnit.NANOSECONDS)) {
      return;
    }
    Message m;
    try {
      m = iterator.nextMessage(spec.pollWait());
    } catch (Exception | Error e) {
      slots.release();
      throw e;
    }
    if (m == null) {
      slots.release();
      return;
    }
    dispatch(m);
  }

  private void handleAdvisories() throws InterruptedException {
    Message a;
    while ((a = advisories.nextMessage(Duration.ofMillis(1))) != null) {
      deadLetters.onAdvisory(a);
    }
  }

  private void sendHeartbeats() {
    long now = System.nanoTime();
    for (InFlight f : inFlight) {
      f.heartbeatIfDue(now, spec.inProgressEvery().toNanos());
    }
  }

  private void dispatch(Message m) {
    InFlight f = new InFlight(m);
    inFlight.add(f);
    try {
      f.thread = handlerThreads.newThread(() -> run(f));
      f.thread.start();
    } catch (Throwable t) {
      inFlight.remove(f);
      slots.release();
      f.settle(Settle.NAK, null);
      throw t;
    }
  }

  private void run(InFlight f) {
    long start = System.nanoTime();
    String outcomeTag = MetricNames.OUTCOME_RETRY;
    Delivery d = new Delivery(f.message, spec.maxDeliver());
    String requestId = d.requestId();
    if (requestId != null) {
      MDC.put(Headers.MDC_REQUEST_ID, requestId);
    }
    try {
      if (d.deliveryCount() > 1) {
        redelivered.increment();
      }
      RetryPolicy.Decision decision;
      try {
        Outcome o = handler.handle(d);
        decision =
            policy.decide(
                o != null ? o : Outcome.retryLater("handler returned null"),
                d.deliveryCount(),
                ThreadLocalRandom.current()::nextDouble);
      } catch (Throwable t) {
        handlerErrors.increment();
        LOG.errorf(t, "handler of %s failed on %s", spec.durable(), d);
        decision = policy.onError(t, d.deliveryCount(), ThreadLocalRandom.current()::nextDouble);
      }
      outcomeTag = apply(f, d, decision);
    } finally {
      inFlight.remove(f);
      slots.release();
      Timer.builder(MetricNames.HANDLER_DURATION)
          .description("Handler latency, ack included")
          .tag(MetricNames.TAG_CONSUMER, spec.durable())
          .tag(MetricNames.TAG_OUTCOME, outcomeTag)
          .register(meters)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      count(outcomeTag);
      MDC.remove(Headers.MDC_REQUEST_ID);
    }
  }

  private String apply(InFlight f, Delivery d, RetryPolicy.Decision decision) {
    switch (decision) {
      case RetryPolicy.Ack a -> {
        return f.settle(Settle.ACK, null)
            ? MetricNames.OUTCOME_DONE
            : MetricNames.OUTCOME_ABANDONED;
      }
      case RetryPolicy.Nak n -> {
        LOG.infof(
            "%s: retry in %d ms (delivery %d/%d): %s",
            d, n.delay().toMillis(), d.deliveryCount(), spec.maxDeliver(), n.reason());
        return f.settle(Settle.NAK, n.delay())
            ? MetricNames.OUTCOME_RETRY
            : MetricNames.OUTCOME_ABANDONED;
      }
      case RetryPolicy.DeadLetter dl -> {
        if (f.isSettled()) {
          return MetricNames.OUTCOME_ABANDONED;
        }
        try {
          deadLetters.store(d, dl.reason());
        } catch (RuntimeException e) {
          // Not stored: hand it back; at MaxDeliver the advisory path dead-letters it.
          LOG.errorf(e, "%s: could not dead-letter it; handing it back", d);
          f.settle(Settle.NAK, spec.backoff().get(spec.backoff().size() - 1));
          return MetricNames.OUTCOME_RETRY;
        }
        f.settle(Settle.TERM, null);
        return MetricNames.OUTCOME_DEAD_LETTER;
      }
    }
  }

  private void count(String outcome) {
    Counter.builder(MetricNames.MESSAGES_HANDLED)
        .description("Messages handled, by outcome")
        .tag(MetricNames.TAG_CONSUMER, spec.durable())
        .tag(MetricNames.TAG_OUTCOME, outcome)
        .register(meters)
        .increment();
  }

  @Override
  public void drain(Instant deadline) {
    IterableConsumer it = iterator;
    if (it != null) {
      it.stop();
      nakBuffered(it);
    }
    long waitNanos = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
    try {
      if (slots.tryAcquire(spec.concurrency(), waitNanos, TimeUnit.NANOSECONDS)) {
        slots.release(spec.concurrency());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (InFlight f : inFlight) {
      if (f.settle(Settle.NAK, null)) {
        count(MetricNames.OUTCOME_ABANDONED);
        LOG.warnf("%s: not finished within the grace period; handed back", f.message.getSubject());
      }
      Thread t = f.thread;
      if (t != null) {
        t.interrupt();
      }
    }
    if (it != null) {
      nakBuffered(it);
    }
  }

  /** Messages fetched but never started are handed back at once, not left to AckWait. */
  private void nakBuffered(IterableConsumer it) {
    try {
      Message m;
      while ((m = it.nextMessage(Duration.ofMillis(5))) != null) {
        m.nak();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debugf("stop draining buffered messages of %s: %s", spec.durable(), e);
    }
  }

  @Override
  public void close() {
    IterableConsumer it = iterator;
    iterator = null;
    if (it != null) {
      it.stop();
      nakBuffered(it);
      try {
        it.close();
      } catch (Exception e) {
        LOG.debugf("closing consumer %s: %s", spec.durable(), e);
      }
    }
    Subscription s = advisories;
    advisories = null;
    if (s != null) {
      try {
        s.unsubscribe();
      } catch (RuntimeException e) {
        LOG.debugf("unsubscribing advisories of %s: %s", spec.durable(), e);
      }
    }
  }

  private enum Settle {
    ACK,
    NAK,
    TERM
  }

  /** A message whose handler runs; settled (acked, naked or termed) exactly once. */
  private static final class InFlight {
    final Message message;
    volatile Thread thread;
    private long lastBeatNanos = System.nanoTime();
    private boolean settled;

    InFlight(Message message) {
      this.message = message;
    }

    synchronized boolean isSettled() {
      return settled;
    }

    synchronized void heartbeatIfDue(long now, long every) {
      if (!settled && now - lastBeatNanos >= every) {
        lastBeatNanos = now;
        try {
          message.inProgress();
        } catch (RuntimeException e) {
          LOG.debugf("in-progress failed: %s", e);
        }
      }
    }

    /** False if it was settled already (handed back at shutdown). */
    synchronized boolean settle(Settle how, Duration delay) {
      if (settled) {
        return false;
      }
      settled = true;
      try {
        switch (how) {
          case ACK -> message.ackSync(ACK_TIMEOUT);
          case NAK -> {
            if (delay == null) {
              message.nak();
            } else {
              message.nakWithDelay(delay);
            }
          }
          case TERM -> message.term();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // The server will redeliver after AckWait: the handler is idempotent.
        LOG.warnf("%s of %s not confirmed: %s", how, message.getSubject(), e.toString());
      }
      return true;
    }
  }
}
