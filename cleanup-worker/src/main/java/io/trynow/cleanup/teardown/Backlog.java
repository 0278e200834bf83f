package io.trynow.cleanup.teardown;

import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.DockerConfig;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Teardown from Valkey's state, not only from messages: {@code terminating} instances that nobody
 * holds a claim on (their lease is over or was never taken) and that ended more than {@code
 * backlog.grace} ago are torn down here, oldest first — at startup all of them at once (what a
 * killed worker left: its claims lapse within one lease, and a restarted worker hands its own back
 * at startup), then on every tick (a teardown request that is late, lost or waiting for its
 * redelivery). Claims make it safe beside the teardown consumer and other replicas: whoever claims
 * first does the work, the other finds it done.
 *
 * <p>Removals run in parallel up to an adaptive limit ({@link RemovalLimit}) within the engine's
 * safe bound {@code trynow.docker.max-parallel-removals}: measured here (Docker 20.10, busybox
 * containers, {@code docker rm -f}), the engine removes ~7/s one at a time, ~12–14/s at 2–8 in
 * parallel, and fewer again at 16.
 */
@ApplicationScoped
public class Backlog {

  private static final Logger LOG = Logger.getLogger(Backlog.class);

  private final Store store;
  private final Teardown teardown;
  private final CleanupConfig.Backlog config;
  private final RemovalLimit limit;
  private final Clock clock = Clock.systemUTC();
  private volatile boolean started;

  Backlog(Teardown teardown, CleanupConfig config, DockerConfig docker) {
    this.teardown = teardown;
    this.store = teardown.leases().store();
    this.config = config.backlog();
    this.limit = new RemovalLimit(docker.maxParallelRemovals());
  }

  /** The adaptive removal parallelism (for tests and metrics). */
  public RemovalLimit limit() {
    return limit;
  }

  /** One pass; returns how many instances were torn down. */
  public int drainOnce() throws InterruptedException {
    Instant now = clock.instant();
    Duration grace = started ? config.grace() : Duration.ZERO;
    List<Instance> due = new ArrayList<>();
    for (Instance i : store.instances(InstanceState.TERMINATING)) {
      boolean unclaimed = i.leaseUntil() == null || !i.leaseUntil().isAfter(now);
      boolean old = i.endedAt() == null || !i.endedAt().plus(grace).isAfter(now);
      if (unclaimed && old) {
        due.add(i);
      }
    }
    started = true;
    if (due.isEmpty()) {
      return 0;
    }
    due.sort(
        Comparator.comparing(Instance::endedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
    long t0 = System.nanoTime();
    int done = 0;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int from = 0; from < due.size(); ) {
        int n = Math.min(limit.current(), due.size() - from);
        List<Future<Outcome>> wave = new ArrayList<>();
        long w0 = System.nanoTime();
        for (Instance i : due.subList(from, from + n)) {
          wave.add(pool.submit(() -> teardown.teardown(i.id(), "backlog")));
        }
        int ok = 0;
        for (Future<Outcome> f : wave) {
          try {
            if (f.get() instanceof Outcome.Done) {
              ok++;
            }
          } catch (java.util.concurrent.ExecutionException e) {
            LOG.warnf("backlog teardown failed: %s", e.getCause().toString());
          }
        }
        limit.observe(n, ok, Duration.ofNanos(System.nanoTime() - w0));
        done += ok;
        from += n;
      }
    }
    LOG.infof(
        "teardown backlog: %d of %d unclaimed terminating instance(s) torn down in %d ms"
            + " (parallelism now %d)",
        done, due.size(), Duration.ofNanos(System.nanoTime() - t0).toMillis(), limit.current());
    return done;
  }
}
