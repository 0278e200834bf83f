package io.trynow.platform.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trynow.platform.metrics.MetricNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Seeds 000 #8, 002 H1, 004 #3: a background loop that throws must not die (nor take the process
 * with it); 000 #9, 002 H4, 004 #2/#11: shutdown waits for in-flight work.
 */
class SupervisorTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Supervisor supervisor =
      new Supervisor(
          Supervisor.Options.defaults()
              .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(400), 0.0))
              .withCrashThreshold(Duration.ofMillis(300))
              .withStaleAfter(Duration.ofMillis(800)),
          meters);

  @AfterEach
  void stop() {
    supervisor.shutdown(Duration.ofSeconds(2));
  }

  @Test
  void loopThrowingRuntimeExceptionAndErrorAlternatelyStaysUpBacksOffAndRecovers() {
    List<Long> starts = new CopyOnWriteArrayList<>();
    AtomicBoolean healthy = new AtomicBoolean(false);
    AtomicInteger calls = new AtomicInteger();
    supervisor.run(
        "flaky",
        () -> {
          if (healthy.get()) {
            Thread.sleep(5);
            return;
          }
          starts.add(System.nanoTime());
          if (calls.incrementAndGet() % 2 == 1) {
            throw new IllegalStateException("runtime " + calls.get());
          }
          throw new Error("error " + calls.get());
        });

    await().atMost(Duration.ofSeconds(10)).until(() -> starts.size() >= 6);
    // Backoff grows: 20, 40, 80, 160, 320 ms between attempts (no jitter in this test).
    for (int i = 1; i < 6; i++) {
      long gapMs = (starts.get(i) - starts.get(i - 1)) / 1_000_000;
      long expected = Math.min(400, 20L << (i - 1));
      assertThat(gapMs).as("gap before attempt %d", i + 1).isGreaterThanOrEqualTo(expected - 5);
    }
    assertThat(meters.counter(MetricNames.LOOP_FAILURES, MetricNames.TAG_LOOP, "flaky").count())
        .isGreaterThanOrEqualTo(6);
    assertThat(meters.counter(MetricNames.LOOP_RESTARTS, MetricNames.TAG_LOOP, "flaky").count())
        .isGreaterThanOrEqualTo(5);
    LoopStatus st = status("flaky");
    assertThat(st.running()).isTrue();
    assertThat(st.lastError()).containsAnyOf("runtime", "error");
    // Failing for longer than the threshold: not ready; heartbeat still fresh: live.
    assertThat(supervisor.crashLoopingLoops())
        .extracting(LoopStatus::name)
        .containsExactly("flaky");
    assertThat(supervisor.staleLoops()).isEmpty();

    healthy.set(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(supervisor.crashLoopingLoops()).isEmpty());
    assertThat(status("flaky").failingSince()).isNull();
    assertThat(status("flaky").running()).isTrue();
  }

  @Test
  void periodicTaskRunsAgainAfterAFailure() {
    AtomicInteger runs = new AtomicInteger();
    supervisor.every(
        "reaper",
        Duration.ofMillis(10),
        () -> {
          if (runs.incrementAndGet() == 2) {
            throw new NullPointerException("one bad iteration");
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 5);
    assertThat(status("reaper").failures()).isEqualTo(1);
    assertThat(status("reaper").iterations()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aStuckIterationMakesTheHeartbeatStale() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    supervisor.run("stuck", () -> release.await());
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() ->
            assertThat(supervisor.staleLoops()).extracting(LoopStatus::name).contains("stuck"));
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.staleLoops().isEmpty());
  }

  @Test
  void shutdownLetsTheRunningIterationFinishThenDrainsAndCloses() {
    AtomicBoolean iterationFinished = new AtomicBoolean();
    AtomicBoolean drained = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    supervisor.run(
        "worker",
        new Loop() {
          @Override
          public void iterate() throws Exception {
            started.countDown();
            Thread.sleep(300);
            iterationFinished.set(true);
          }

          @Override
          public void drain(Instant deadline) {
            drained.set(iterationFinished.get());
          }

          @Override
          public void close() {
            closed.set(drained.get());
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0);
    long t0 = System.nanoTime();
    supervisor.shutdown(Duration.ofSeconds(3));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
    assertThat(iterationFinished).isTrue();
    assertThat(drained).isTrue();
    assertThat(closed).isTrue();
    assertThat(status("worker").running()).isFalse();
    assertThatThrownBy(() -> supervisor.every("late", Duration.ofSeconds(1), () -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  private LoopStatus status(String name) {
    return supervisor.status().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
