package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.ConsumerInfo;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.Loop;
import io.trynow.platform.tracing.Tracing;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The fetch loop of one durable pull consumer, run by the Supervisor. One iteration: handle pending
 * MAX_DELIVERIES advisories, send {@code in-progress} for running handlers that are due, pull as
 * many messages as there are free handler slots (when no pull is open), then wait for the next
 * message. With a slot free (always, under sparse traffic) the wait happens on a pooled platform
 * thread that then runs that message's handler itself, so a message meets its handler without a
 * hand-off between threads (each one a thread wake-up, ~0.5 ms on an idle loaded machine), and the
 * handler's blocking calls wake that thread directly (a virtual thread is woken through the JDK's
 * poller and a carrier); the loop waits for that thread's receive and goes on. Messages that arrive
 * together, or while every slot is busy, are received by the loop and each started on a virtual
 * thread. Either way one thread at a time reads the subscription.
 *
 * <p>Pulls are explicit (a pull subscription; each pull asks for at most the free slots and expires
 * after {@link #PULL_EXPIRES}), so this process never holds more than it can start, and a stop
 * knows when its last pull has ended. (jnats' endless consumers unsubscribe when stopped and drop
 * what they had buffered: those messages would wait for AckWait.) The slots and the in-flight set
 * outlive a restart of the loop; the server-side consumer, the pull subscription and the advisory
 * subscription are re-opened. After a NATS outage the next pull resumes the flow.
 */
final class SupervisedConsumer implements Loop {

  private static final Logger LOG = Logger.getLogger(SupervisedConsumer.class);

  /**
   * Expiry of each pull. Short, so that a stopped consumer's last pull ends quickly (the server
   * would deliver into it after we stopped reading) and a pull lost in a NATS outage is replaced
   * soon.
   */
  static final Duration PULL_EXPIRES = Duration.ofSeconds(1);

  private static final Duration TAKE_WAIT = Duration.ofMillis(20);

  /** How far past its wait a receiving handler thread may answer before it is interrupted. */
  private static final Duration RECEIVER_SLACK = Duration.ofSeconds(5);

  /** How often the consumer's server-side state is read (gauges, vanished consumer). */
  static final Duration CHECK_PERIOD = Duration.ofSeconds(5);

  private final Supplier<Connection> connection;
  private final Streams streams;
  private final DeadLetters deadLetters;
  private final ConsumerSpec spec;
  private final HandlerRunner runner;
  private final Semaphore slots;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private final ThreadFactory handlerThreads;

  /**
   * Platform threads for the thread that waits for the next message and then runs its handler: a
   * handler's blocking calls (the store's blocking lane, a publish's PubAck) wake a platform thread
   * directly, where a virtual thread is woken through the JDK's poller and then a carrier thread —
   * one thread wake-up more per call, ~0.5–1 ms each when traffic is sparse (issue #15). Reused
   * (idle ones end after {@link #RECEIVER_KEEP_ALIVE}); at most one waits at a time, so their
   * number stays at the handlers running on them plus one.
   */
  private final ExecutorService receivers;

  private static final Duration RECEIVER_KEEP_ALIVE = Duration.ofSeconds(30);

  private JetStreamSubscription subscription;
  private Subscription advisories;

  /** Messages received but not started yet (a late pull reply can exceed the free slots). */
  private final Deque<Message> received = new ArrayDeque<>();

  /** Messages asked for by the open pull and not received yet; 0 when no pull is open. */
  private int outstanding;

  private long pullEndsNanos;

  private final AtomicLong pending;
  private final AtomicLong ackPending;
  private long nextCheckNanos;

  SupervisedConsumer(
      Supplier<Connection> connection,
      Streams streams,
      DeadLetters deadLetters,
      ConsumerSpec spec,
      MessageHandler handler,
      MeterRegistry meters,
      Tracing tracing,
      AtomicLong pending,
      AtomicLong ackPending) {
    this.pending = pending;
    this.ackPending = ackPending;
    this.connection = connection;
    this.streams = streams;
    this.deadLetters = deadLetters;
    this.spec = spec;
    this.runner = new HandlerRunner(spec, handler, deadLetters, meters, tracing);
    this.slots = new Semaphore(spec.concurrency());
    this.handlerThreads = Thread.ofVirtual().name(spec.durable() + "-handler-", 0).factory();
    this.receivers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            RECEIVER_KEEP_ALIVE.toMillis(),
            TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().daemon(true).name(spec.durable() + "-handler-p", 0).factory());
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
    subscription =
        c.jetStream()
            .subscribe(
                spec.filterSubject(), PullSubscribeOptions.bind(spec.stream(), spec.durable()));
    c.flush(Duration.ofSeconds(5));
    outstanding = 0;
    nextCheckNanos = System.nanoTime() + CHECK_PERIOD.toNanos();
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
    checkConsumer();
    handleAdvisories();
    sendHeartbeats();
    startReceived();
    if (!received.isEmpty()) {
      awaitFreeSlot(); // all handlers busy: nothing to pull for
      return;
    }
    pullIfIdle();
    if (!pullOpen()) {
      awaitFreeSlot();
      return;
    }
    // Wait no longer than the open pull lasts: a message published after it expired would sit in
    // the stream until the next pull (up to a whole poll wait later: tens of ms of latency under
    // sparse traffic).
    Duration wait = untilPullEnds();
    Message m;
    if (slots.tryAcquire()) {
      m = receiveOnHandlerThread(wait);
      if (m != null && outstanding > 0) {
        outstanding--;
      }
    } else {
      m = subscription.nextMessage(wait);
      if (m != null) {
        onReceived(m);
      }
    }
    if (m != null) {
      // Take what else has arrived without waiting: one iteration per batch, not per message.
      while (subscription.getPendingMessageCount() > 0
          && (m = subscription.nextMessage(Duration.ofMillis(1))) != null) {
        onReceived(m);
      }
      startReceived();
    }
  }

  /**
   * Every {@link #CHECK_PERIOD} (while connected): reads the consumer's pending and ack-pending
   * counts for the gauges, and notices a consumer that vanished (deleted, or a NATS that came back
   * empty): the API error fails this iteration, the supervisor restarts the loop, and {@link
   * #open()} declares the streams and the consumer again.
   */
  private void checkConsumer() throws Exception {
    long now = System.nanoTime();
    if (now < nextCheckNanos) {
      return;
    }
    nextCheckNanos = now + CHECK_PERIOD.toNanos();
    Connection c = connection.get();
    if (c.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    ConsumerInfo info = c.jetStreamManagement().getConsumerInfo(spec.stream(), spec.durable());
    pending.set(info.getNumPending());
    ackPending.set(info.getNumAckPending());
  }

  /** Waits (up to the poll wait) until a handler slot is free, without taking it. */
  private void awaitFreeSlot() throws InterruptedException {
    if (slots.tryAcquire(spec.pollWait().toNanos(), TimeUnit.NANOSECONDS)) {
      slots.release();
    }
  }

  /** The poll wait, cut to the open pull's remaining life (at least 1 ms). */
  private Duration untilPullEnds() {
    long left = pullEndsNanos - System.nanoTime();
    long wait =
        Math.min(spec.pollWait().toNanos(), Math.max(left, TimeUnit.MILLISECONDS.toNanos(1)));
    return Duration.ofNanos(wait);
  }

  private boolean pullOpen() {
    return outstanding > 0 && System.nanoTime() < pullEndsNanos;
  }

  private void pullIfIdle() {
    if (pullOpen()) {
      return;
    }
    int free = slots.availablePermits() - received.size();
    if (free <= 0) {
      outstanding = 0;
      return;
    }
    subscription.pullExpiresIn(free, PULL_EXPIRES);
    outstanding = free;
    pullEndsNanos = System.nanoTime() + PULL_EXPIRES.toNanos();
  }

  private void onReceived(Message m) {
    if (outstanding > 0) {
      outstanding--;
    }
    received.addLast(m);
  }

  private void startReceived() {
    while (!received.isEmpty() && slots.tryAcquire()) {
      dispatch(received.pollFirst());
    }
  }

  private void handleAdvisories() throws InterruptedException {
    // Never wait here: this runs on every iteration of the fetch loop.
    while (advisories.getPendingMessageCount() > 0) {
      Message a = advisories.nextMessage(Duration.ofMillis(1));
      if (a == null) {
        return;
      }
      deadLetters.onAdvisory(a);
    }
  }

  private void sendHeartbeats() {
    long now = System.nanoTime();
    for (InFlight f : inFlight) {
      f.heartbeatIfDue(now, spec.inProgressEvery().toNanos());
    }
  }

  /**
   * Waits up to {@code wait} for the next message on a receiver thread ({@link #receivers}), which
   * then runs that message's handler itself: nothing stands between a message's arrival and its
   * handler (no hand-off from this loop to another thread, which under sparse traffic costs a
   * thread wake-up per message). This loop waits until that thread has received (or not), so only
   * one thread ever reads the subscription. Takes the slot already acquired by the caller: the
   * handler keeps it (released when it finishes); with no message it is released here.
   *
   * @return the message now handled on that thread, or null (none within {@code wait})
   */
  private Message receiveOnHandlerThread(Duration wait) throws Exception {
    CompletableFuture<Message> got = new CompletableFuture<>();
    JetStreamSubscription sub = subscription;
    AtomicReference<Thread> receiver = new AtomicReference<>();
    try {
      receivers.execute(() -> {
        receiver.set(Thread.currentThread());
        try {
          receiveAndRun(sub, wait, got);
        } finally {
          receiver.set(null);
          // nothing of this message stays with the pooled thread: its log context, an interrupt
          org.jboss.logging.MDC.clear();
          Thread.interrupted();
        }
      });
    } catch (Throwable t) {
      slots.release();
      throw t;
    }
    Message m;
    try {
      m = awaitReceiver(receiver, got, wait);
    } catch (Exception e) {
      slots.release();
      throw e;
    }
    if (m == null) {
      slots.release();
    }
    return m;
  }

  /**
   * The receiving thread's message (or null); returns only once that thread no longer reads the
   * subscription. Interrupted (a stop past the grace period): interrupts it and still waits for its
   * answer, which comes at once.
   */
  private static Message awaitReceiver(
      AtomicReference<Thread> receiver, CompletableFuture<Message> got, Duration wait)
      throws Exception {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return got.get(wait.toNanos() + RECEIVER_SLACK.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof Exception x) {
            throw x;
          }
          throw e;
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
          // Interrupted, or the receiver overran its wait: make it stop reading, then take its
          // answer (a message it already has is being handled on it).
          interrupted |= e instanceof InterruptedException;
          Thread t = receiver.get();
          if (t != null) {
            t.interrupt();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The body of {@link #receiveOnHandlerThread}'s thread. */
  private void receiveAndRun(
      JetStreamSubscription sub, Duration wait, CompletableFuture<Message> got) {
    Message m;
    try {
      m = sub.nextMessage(wait);
    } catch (Throwable t) {
      got.completeExceptionally(t);
      return;
    }
    if (m == null) {
      got.complete(null);
      return;
    }
    InFlight f = new InFlight(m);
    f.thread = Thread.currentThread();
    inFlight.add(f); // before the loop goes on: a drain sees it
    got.complete(m);
    runner.run(
        f,
        () -> {
          inFlight.remove(f);
          slots.release();
        });
  }

  private void dispatch(Message m) {
    InFlight f = new InFlight(m);
    inFlight.add(f);
    try {
      f.thread =
          handlerThreads.newThread(() ->
              runner.run(
                  f,
                  () -> {
                    inFlight.remove(f);
                    slots.release();
                  }));
      f.thread.start();
    } catch (Throwable t) {
      inFlight.remove(f);
      slots.release();
      f.settle(InFlight.Settle.NAK, null);
      throw t;
    }
  }

  /**
   * Stops pulling; lets running handlers finish and the open pull end (collecting, not starting,
   * what it still brings) until {@code deadline}; then hands back (nak) the unstarted messages and
   * the unfinished handlers' messages. A nak while our pull is still open would be redelivered
   * straight into it (a dead subscription once we close): so hand-backs wait for the pull to end,
   * or carry a delay longer than its expiry.
   */
  @Override
  public void drain(Instant deadline) {
    while (Instant.now().isBefore(deadline)) {
      if (!pullOpen() && inFlight.isEmpty()) {
        break;
      }
      if (pullOpen()) {
        receive(TAKE_WAIT);
      } else {
        awaitHandlers(TAKE_WAIT);
      }
    }
    boolean pullDone = !pullOpen();
    receiveAll();
    Duration delay = pullDone ? null : PULL_EXPIRES.plusMillis(500);
    for (InFlight f : inFlight) {
      if (f.settle(InFlight.Settle.NAK, delay)) {
        runner.count(MetricNames.OUTCOME_ABANDONED);
        LOG.warnf("%s: not finished within the grace period; handed back", f.message.getSubject());
      }
      Thread t = f.thread;
      if (t != null) {
        t.interrupt();
      }
    }
    handBack(delay);
  }

  private void awaitHandlers(Duration wait) {
    try {
      if (slots.tryAcquire(spec.concurrency(), wait.toNanos(), TimeUnit.NANOSECONDS)) {
        slots.release(spec.concurrency());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void receive(Duration wait) {
    JetStreamSubscription sub = subscription;
    if (sub == null) {
      return;
    }
    try {
      Message m = sub.nextMessage(wait);
      if (m != null) {
        onReceived(m);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debugf("reading the last messages of %s: %s", spec.durable(), e);
      outstanding = 0;
    }
  }

  private void receiveAll() {
    int before;
    do {
      before = received.size();
      receive(Duration.ofMillis(1));
    } while (received.size() > before && !Thread.currentThread().isInterrupted());
  }

  private void handBack(Duration delay) {
    int n = received.size();
    Message m;
    while ((m = received.pollFirst()) != null) {
      try {
        if (delay == null) {
          m.nak();
        } else {
          m.nakWithDelay(delay);
        }
      } catch (RuntimeException e) {
        LOG.debugf("nak of %s failed: %s", m.getSubject(), e);
      }
    }
    if (n > 0) {
      LOG.infof("%s: handed back %d received, unstarted messages", spec.durable(), n);
    }
  }

  /** After a failure (and at shutdown, after drain): let the pull end, hand back, unsubscribe. */
  @Override
  public void close() {
    long end = System.nanoTime() + PULL_EXPIRES.plusMillis(500).toNanos();
    while (pullOpen() && System.nanoTime() < end && subscription != null) {
      receive(TAKE_WAIT);
    }
    boolean pullDone = !pullOpen();
    receiveAll();
    handBack(pullDone ? null : PULL_EXPIRES.plusMillis(500));
    outstanding = 0;
    JetStreamSubscription sub = subscription;
    subscription = null;
    if (sub != null) {
      try {
        sub.unsubscribe();
      } catch (RuntimeException e) {
        LOG.debugf("unsubscribing consumer %s: %s", spec.durable(), e);
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
}
