package io.trynow.platform.supervisor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.platform.metrics.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs every background loop of a service (consumer fetch loops, reapers, replenishers,
 * reconcilers, sweepers) — there is no other way to start one.
 *
 * <ul>
 *   <li>Exception barrier per iteration: any {@link Throwable} is caught, logged with its stack and
 *       counted ({@code trynow_loop_failures_total{loop}}); the loop is closed, and restarted after
 *       an exponential backoff with jitter ({@code trynow_loop_restarts_total{loop}}).
 *   <li>Heartbeat per loop, read by liveness ({@link #staleLoops()}): a loop whose thread has not
 *       beaten for {@link Options#staleAfter()} is stuck.
 *   <li>Readiness ({@link #crashLoopingLoops()}): a loop failing without a success for longer than
 *       {@link Options#crashThreshold()}.
 *   <li>Shutdown ({@link #shutdown()}): no new iteration; the running one finishes; each loop
 *       drains its in-flight work up to the grace period and hands back the rest; then the loops
 *       are closed. In Quarkus this runs on the shutdown event <em>before</em> the NATS connection
 *       is drained ({@code SupervisorProducer} observes at priority 100, {@code NatsClient} at
 *       9000).
 * </ul>
 *
 * <p>Plain Java, usable without Quarkus: {@code new Supervisor(Options.defaults(), registry)}.
 */
public final class Supervisor {

  private static final Logger LOG = Logger.getLogger(Supervisor.class);
  private static final Duration BEAT_SLICE = Duration.ofMillis(500);

  /**
   * @param backoff restart delays
   * @param staleAfter a loop whose heartbeat is older is reported stuck (liveness DOWN)
   * @param crashThreshold a loop failing for longer without a success makes readiness DOWN
   * @param shutdownGrace how long shutdown lets in-flight work finish
   */
  public record Options(
      Backoff backoff, Duration staleAfter, Duration crashThreshold, Duration shutdownGrace) {

    public static Options defaults() {
      return new Options(
          new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 0.5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10));
    }

    public Options withBackoff(Backoff b) {
      return new Options(b, staleAfter, crashThreshold, shutdownGrace);
    }

    public Options withShutdownGrace(Duration g) {
      return new Options(backoff, staleAfter, crashThreshold, g);
    }

    public Options withCrashThreshold(Duration c) {
      return new Options(backoff, staleAfter, c, shutdownGrace);
    }

    public Options withStaleAfter(Duration s) {
      return new Options(backoff, s, crashThreshold, shutdownGrace);
    }
  }

  private final Options options;
  private final MeterRegistry meters;
  private final Clock clock;
  private final List<Runner> runners = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  public Supervisor(Options options, MeterRegistry meters) {
    this(options, meters, Clock.systemUTC());
  }

  Supervisor(Options options, MeterRegistry meters, Clock clock) {
    this.options = Objects.requireNonNull(options);
    this.meters = Objects.requireNonNull(meters);
    this.clock = clock;
  }

  public Options options() {
    return options;
  }

  /**
   * Runs {@code task} now and then every {@code period} (measured from the end of one run to the
   * start of the next). A run that throws is retried after the backoff instead of the period.
   */
  public LoopHandle every(String name, Duration period, Runnable task) {
    Objects.requireNonNull(task);
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period of loop " + name + " must be > 0");
    }
    return start(name, task::run, period);
  }

  /** Runs {@code loop} continuously (an iteration right after the previous one). */
  public LoopHandle run(String name, Loop loop) {
    return start(name, loop, null);
  }

  private synchronized LoopHandle start(String name, Loop loop, Duration period) {
    if (stopping) {
      throw new IllegalStateException("supervisor is shutting down; loop " + name + " not started");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a loop needs a name");
    }
    for (Runner r : runners) {
      if (r.name.equals(name) && r.status().running()) {
        throw new IllegalArgumentException("a loop named " + name + " is already running");
      }
    }
    Runner runner = new Runner(name, loop, period);
    runners.add(runner);
    runner.thread = Thread.ofVirtual().name("loop-" + name).start(runner::run);
    return runner;
  }

  /** The status of every loop ever started (stopped ones included). */
  public List<LoopStatus> status() {
    List<LoopStatus> out = new ArrayList<>();
    for (Runner r : runners) {
      out.add(r.status());
    }
    return out;
  }

  /** Running loops whose heartbeat is older than {@link Options#staleAfter()}: liveness DOWN. */
  public List<LoopStatus> staleLoops() {
    Instant limit = clock.instant().minus(options.staleAfter());
    return status().stream().filter(s -> s.running() && s.lastBeat().isBefore(limit)).toList();
  }

  /** Running loops failing for longer than {@link Options#crashThreshold()}: readiness DOWN. */
  public List<LoopStatus> crashLoopingLoops() {
    Instant limit = clock.instant().minus(options.crashThreshold());
    return status().stream()
        .filter(s -> s.running() && s.failingSince() != null && s.failingSince().isBefore(limit))
        .toList();
  }

  public boolean isStopping() {
    return stopping;
  }

  /** {@link #shutdown(Duration)} with the configured grace. */
  public void shutdown() {
    shutdown(options.shutdownGrace());
  }

  /**
   * Stops every loop: no new iteration starts, running iterations finish, each loop drains its
   * in-flight work until {@code grace} has passed and hands back the rest, then closes. Returns
   * when every loop thread has ended (a thread still running past the grace is interrupted).
   */
  public void shutdown(Duration grace) {
    List<Runner> all;
    synchronized (this) {
      stopping = true;
      all = List.copyOf(runners);
    }
    Instant deadline = clock.instant().plus(grace);
    for (Runner r : all) {
      r.requestStop(deadline);
    }
    for (Runner r : all) {
      r.awaitEnd(deadline);
    }
    LOG.infof("supervisor stopped %d loops", all.size());
  }

  private final class Runner implements LoopHandle {
    private final String name;
    private final Loop loop;
    private final Duration period;
    private final Counter failuresCounter;
    private final Counter restartsCounter;
    private final Counter iterationsCounter;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile Instant deadline;
    private volatile boolean running = true;
    private volatile Instant lastBeat;
    private volatile Instant failingSince;
    private volatile String lastError;
    private volatile long iterations;
    private volatile long failures;

    Runner(String name, Loop loop, Duration period) {
      this.name = name;
      this.loop = loop;
      this.period = period;
      this.lastBeat = clock.instant();
      this.failuresCounter =
          Counter.builder(MetricNames.LOOP_FAILURES)
              .description("Loop iterations that threw")
              .tag(MetricNames.TAG_LOOP, name)
              .register(meters);
      this.restartsCounter =
          Counter.builder(MetricNames.LOOP_RESTARTS)
              .description("Loop restarts after a failure")
              .tag(MetricNames.TAG_LOOP, name)
              .register(meters);
      this.iterationsCounter =
          Counter.builder(MetricNames.LOOP_ITERATIONS)
              .description("Loop iterations completed")
              .tag(MetricNames.TAG_LOOP, name)
              .register(meters);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public LoopStatus status() {
      return new LoopStatus(name, lastBeat, iterations, failures, failingSince, lastError, running);
    }

    @Override
    public void stop(Duration grace) {
      Instant d = clock.instant().plus(grace);
      requestStop(d);
      awaitEnd(d);
    }

    void requestStop(Instant deadline) {
      this.deadline = deadline;
      this.stopRequested = true;
      stopSignal.countDown();
    }

    void awaitEnd(Instant deadline) {
      Thread t = thread;
      if (t == null || t == Thread.currentThread()) {
        return;
      }
      try {
        long waitMs = Math.max(0, Duration.between(clock.instant(), deadline).toMillis()) + 1000;
        if (!t.join(Duration.ofMillis(waitMs))) {
          LOG.warnf("loop %s did not stop within the grace period; interrupting it", name);
          t.interrupt();
          t.join(Duration.ofSeconds(2));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void run() {
      boolean open = false;
      int failuresInRow = 0;
      try {
        while (!stopRequested) {
          beat();
          try {
            if (!open) {
              loop.open();
              open = true;
            }
            loop.iterate();
            iterations++;
            iterationsCounter.increment();
            if (failuresInRow > 0) {
              LOG.infof("loop %s recovered after %d failures", name, failuresInRow);
              failuresInRow = 0;
              failingSince = null;
            }
            beat();
            if (period != null) {
              pause(period);
            }
          } catch (Throwable t) {
            if (stopRequested && isInterruption(t)) {
              break;
            }
            failures++;
            failuresCounter.increment();
            failuresInRow++;
            lastError = t.toString();
            if (failingSince == null) {
              failingSince = clock.instant();
            }
            if (open) {
              closeQuietly();
              open = false;
            }
            Duration delay =
                options.backoff().delay(failuresInRow, ThreadLocalRandom.current()::nextDouble);
            LOG.errorf(
                t,
                "loop %s failed (%d in a row); restarting in %d ms",
                name,
                failuresInRow,
                delay.toMillis());
            if (!pause(delay)) {
              break;
            }
            restartsCounter.increment();
          }
        }
      } finally {
        if (open) {
          try {
            loop.drain(deadline == null ? clock.instant() : deadline);
          } catch (Throwable t) {
            LOG.errorf(t, "loop %s failed to drain", name);
          }
          closeQuietly();
        }
        running = false;
      }
    }

    private static boolean isInterruption(Throwable t) {
      return t instanceof InterruptedException
          || t.getCause() instanceof InterruptedException
          || Thread.currentThread().isInterrupted();
    }

    private void closeQuietly() {
      try {
        loop.close();
      } catch (Throwable t) {
        LOG.errorf(t, "loop %s failed to close", name);
      }
    }

    private void beat() {
      lastBeat = clock.instant();
    }

    /** Sleeps in slices, beating; false when a stop was requested. */
    private boolean pause(Duration total) {
      long end = System.nanoTime() + total.toNanos();
      try {
        while (!stopRequested) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            return true;
          }
          stopSignal.await(Math.min(left, BEAT_SLICE.toNanos()), TimeUnit.NANOSECONDS);
          beat();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }
}
