package io.trynow.cleanup.reap;

import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.model.CleanupRequest;
import io.trynow.model.InstanceEventKind;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Expiry without any call: moves expired assigned instances to {@code terminating} ({@code
 * claim_expired}, atomic, safe with N replicas) and publishes, per instance, {@code
 * instance.<id>.terminating} (proxy-sync drops the route first) and a {@link CleanupRequest} to
 * {@code trynow.cleanup.<id>} (msg id {@code cleanup:<id>}) for the teardown consumer.
 *
 * <p>The claim is only a hand-off: its lease is {@link #HANDOFF_LEASE}, so the teardown consumer
 * takes the claim at once. If a publish is lost, the sweeper tears the instance down after its
 * grace period.
 */
@ApplicationScoped
public class Reaper {

  private static final Logger LOG = Logger.getLogger(Reaper.class);

  /** The reaper's claim only moves the state; the teardown consumer claims for the work. */
  static final Duration HANDOFF_LEASE = Duration.ofMillis(1);

  private final Store store;
  private final Publisher publisher;
  private final InstanceEvents events;
  private final CleanupConfig.Reaper config;

  Reaper(Store store, Publisher publisher, InstanceEvents events, CleanupConfig config) {
    this.store = store;
    this.publisher = publisher;
    this.events = events;
    this.config = config.reaper();
  }

  /**
   * How long to wait before the next pass: until the earliest expiry in the index (one lookup),
   * within {@code interval} and {@code max-wait}. Polling every {@code interval} (100 ms) cost an
   * idle cleanup-worker 600 store calls a minute; a demo expiring is now reaped when it is due
   * rather than up to one interval later, and only a demo whose whole TTL is shorter than {@code
   * max-wait} (assigned after this lookup) waits up to {@code max-wait}.
   */
  public Duration nextWait() {
    return nextWait(store.oldestExpiry(), Instant.now(), config.interval(), config.maxWait());
  }

  /**
   * The wait itself, pure: {@code max-wait} when nothing is assigned, else the time until {@code
   * next} clamped to {@code interval..max-wait} (an expiry already due waits {@code interval}); a
   * {@code max-wait} below {@code interval} counts as {@code interval}.
   */
  static Duration nextWait(
      Optional<Instant> next, Instant now, Duration interval, Duration maxWait) {
    Duration min = interval;
    Duration max = maxWait.compareTo(min) < 0 ? min : maxWait;
    if (next.isEmpty()) {
      return max;
    }
    Duration until = Duration.between(now, next.get());
    return until.compareTo(min) < 0 ? min : until.compareTo(max) > 0 ? max : until;
  }

  /** One pass: claims batches until one comes back short. Returns how many were reaped. */
  public int reapOnce() {
    int total = 0;
    while (true) {
      List<Instance> batch = store.claims().claimExpired(config.batch(), HANDOFF_LEASE);
      MessagingException lost = null;
      for (Instance i : batch) {
        try {
          events.publish(InstanceEventKind.TERMINATING, i, "expired");
          publisher.publish(new CleanupRequest(i.id(), "expired", i.requestId()));
        } catch (MessagingException e) {
          LOG.warnf(
              "instance %s is terminating, its teardown request was not published: %s",
              i.id(), e.getMessage());
          lost = e;
        }
      }
      total += batch.size();
      if (lost != null) {
        throw lost; // the supervisor backs off; the sweeper tears those instances down
      }
      if (batch.size() < config.batch()) {
        if (total > 0) {
          LOG.infof("reaped %d expired instance(s)", total);
        }
        return total;
      }
    }
  }
}
