package io.trynow.provisioner.provision;

import io.trynow.model.InstanceEventKind;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.CircuitPolicy;
import io.trynow.platform.state.FencedResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * How a provision attempt ends when it does not succeed. Transient (engine or store unreachable, no
 * free port, no host with room): the claim is handed back at once (its lease lapses, so the retry
 * on any replica claims without waiting; this worker's own retry re-claims its claim even when the
 * hand-back did not reach the store) and the request is retried later. Permanent, or transient on
 * the last delivery: the container is removed while the claim is still ours, then the instance is
 * failed (frees its port — only after the container is gone, so a port is never handed out while
 * something still listens on it), {@code failed} is published, and the request is dead-lettered. A
 * failure that says something about the template counts against its failure circuit in the same
 * store call.
 */
final class ProvisionFailures {

  private static final Logger LOG = Logger.getLogger(ProvisionFailures.class);

  private final Store store;
  private final InstanceEvents events;
  private final ProvisionMetrics metrics;
  private final Duration lease;

  ProvisionFailures(Store store, InstanceEvents events, ProvisionMetrics metrics, Duration lease) {
    this.store = store;
    this.events = events;
    this.metrics = metrics;
    this.lease = lease;
  }

  Outcome transientFailure(Attempt a, Target target, String reason, boolean lastDelivery) {
    if (lastDelivery) {
      return fail(a, target, "gave up after the last delivery: " + reason, false, null);
    }
    LOG.warnf("instance %s: %s; retrying later", a.id(), reason);
    a.claim().release();
    return Outcome.retryLater(reason);
  }

  /**
   * Removes the container (while the claim is still ours), then fails the instance, publishes
   * {@code failed}, and gives up. When the container cannot be removed the instance is not failed
   * (its port stays taken) — the orphan sweeper finishes the job once the engine answers.
   *
   * @param circuit the template's circuit policy when the failure counts against it, else null
   */
  Outcome fail(Attempt a, Target target, String reason, boolean permanent, CircuitPolicy circuit) {
    metrics.failed(a.template(), permanent);
    LOG.errorf("instance %s failed: %s", a.id(), reason);
    try {
      if (a.claim().lost()
          || !(store.claims().renewLease(a.id(), a.fence(), lease) instanceof Changed)) {
        LOG.infof("instance %s: claim lost; not touching its container", a.id());
        return Outcome.giveUp(reason);
      }
      if (target != null) {
        target.containers().remove(target.spec().name());
      }
      FencedResult r =
          circuit == null
              ? store.provisioning().markFailed(a.id(), a.fence(), reason)
              : store.provisioning().markFailed(a.id(), a.fence(), reason, circuit);
      if (r instanceof Changed c && !c.repeat()) {
        events.publish(InstanceEventKind.FAILED, c.instance(), reason);
      }
    } catch (DockerUnavailableException | StoreException | MessagingException e) {
      LOG.warnf(
          "instance %s: cleanup after failure incomplete (%s); the sweeper finishes it", a.id(), e);
    }
    return Outcome.giveUp(reason);
  }
}
