package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    settledAndServing(after, false);
  }

  /**
   * As {@link #settledAndServing(String)}; {@code engineRestarted}: a Docker host's daemon was
   * stopped and started again, and a container of an instance that has ended may be left in
   * Docker's {@code removing} state. trynow asked for its removal and the engine accepted it (a
   * second request answers 409 "removal already in progress"); in one run dockerd 20.10 kept one
   * such container "removing" for over a minute after the restart. It is logged, not counted as an
   * orphan; a live instance without its running container still is a problem.
   */
  void settledAndServing(String after, boolean engineRestarted) {
    visitors.pause();
    try {
      Instant start = Instant.now();
      await()
          .atMost(ScaleStacks.SETTLE)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> {
            assertThat(stack.store().poolStats("hello").ready()).isEqualTo(ScaleStacks.TARGET);
            assertThat(problems(engineRestarted)).isEmpty();
          });
      LOG.infof("%s: settled in %d ms", after, Duration.between(start, Instant.now()).toMillis());
      assertThat(visitors.violations).as(after).isEmpty();
    } finally {
      visitors.resume();
    }
    Instant mark = Instant.now();
    awaitVisits(4);
    assertThat(visitors.unansweredSince(mark)).as(after + ": held demos answer").isEmpty();
    await()
        .atMost(ScaleStacks.SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> assertThat(ScaleStacks.hostsInUse(stack)).as(after).containsExactly("h1", "h2"));
    assertThat(visitors.violations).as(after).isEmpty();
    LOG.infof(
        "%s: %d accepted, %d assigned, %d queued, %d errors shown so far",
        after,
        visitors.accepted.get(),
        visitors.assigned.get(),
        visitors.queued.get(),
        visitors.shownErrors.get());
  }

  private List<String> problems(boolean engineRestarted) {
    List<String> problems = Convergence.problems(stack);
    if (!engineRestarted) {
      return problems;
    }
    Set<String> removing = new HashSet<>();
    for (String p : problems) {
      Matcher m = REMOVING.matcher(p);
      if (m.matches()) {
        removing.add(m.group(1));
      }
    }
    List<String> left = new ArrayList<>();
    for (String p : problems) {
      Matcher m = ORPHAN.matcher(p);
      if (REMOVING.matcher(p).matches() || (m.matches() && removing.contains(m.group(1)))) {
        LOG.warnf("left to the engine (removal in progress after its restart): %s", p);
      } else {
        left.add(p);
      }
    }
    return left;
  }

  private static final Pattern REMOVING = Pattern.compile("container (\\S+) is removing");
  private static final Pattern ORPHAN =
      Pattern.compile("orphaned container (\\S+) \\(no live instance\\)");

  @Override
  public void close() {
    try {
      visitors.close();
    } finally {
      stack.close();
    }
  }
}
