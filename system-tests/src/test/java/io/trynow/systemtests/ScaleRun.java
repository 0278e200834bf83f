package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * One scaled-out stack ({@link ScaleStacks#scaled}) with its steady visitor stream, for one test
 * class, and the invariants every fault is followed by.
 */
final class ScaleRun implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ScaleRun.class);

  final Stack stack;
  final VisitorStream visitors;

  private ScaleRun(Stack stack) {
    this.stack = stack;
    this.visitors = new VisitorStream(stack, "hello", 2);
  }

  static ScaleRun start(String name) {
    return new ScaleRun(ScaleStacks.scaled(name).start());
  }

  /** Waits until the stream has handed out {@code n} more demos. */
  void awaitVisits(int n) {
    int from = visitors.assigned.get();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> visitors.assigned.get() >= from + n);
  }

  /**
   * After a fault: within 60 s (visitors paused so that the pool can refill) Valkey, both Docker
   * hosts and Caddy agree one-to-one with the pool at its target, and no visitor saw a violation;
   * then visitors go on, the demos they hold answer through Caddy, and instances run on both hosts.
   */
  void settledAndServing(String after) {
    settledAndServing(after, true);
  }

  /**
   * As {@link #settledAndServing(String)}; {@code spread} false leaves out "instances on both
   * hosts" (see the Docker host fault: provisioning on a host whose dockerd was restarted is a
   * known gap).
   */
  void settledAndServing(String after, boolean spread) {
    visitors.pause();
    try {
      Instant start = Instant.now();
      await()
          .atMost(ScaleStacks.SETTLE)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> {
            assertThat(stack.store().poolStats("hello").ready()).isEqualTo(ScaleStacks.TARGET);
            assertThat(Convergence.problems(stack)).isEmpty();
          });
      LOG.infof("%s: settled in %d ms", after, Duration.between(start, Instant.now()).toMillis());
      assertThat(visitors.violations).as(after).isEmpty();
    } finally {
      visitors.resume();
    }
    Instant mark = Instant.now();
    awaitVisits(4);
    assertThat(visitors.unansweredSince(mark)).as(after + ": held demos answer").isEmpty();
    if (spread) {
      await()
          .atMost(ScaleStacks.SETTLE)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() ->
              assertThat(ScaleStacks.hostsInUse(stack)).as(after).containsExactly("h1", "h2"));
    }
    assertThat(visitors.violations).as(after).isEmpty();
    LOG.infof(
        "%s: %d accepted, %d assigned, %d queued, %d errors shown so far",
        after,
        visitors.accepted.get(),
        visitors.assigned.get(),
        visitors.queued.get(),
        visitors.shownErrors.get());
  }

  @Override
  public void close() {
    try {
      visitors.close();
    } finally {
      stack.close();
    }
  }
}
