package io.trynow.cleanup.teardown;

import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.FencedResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.LeaseHeartbeat;
import io.trynow.platform.state.Leases;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.StaleFence;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.state.WrongState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Tears one instance down, idempotently: claim the {@code terminating} record, remove its container
 * with force ("not found" is done), {@code mark_terminated} (frees the port, leaves a tombstone),
 * publish {@code instance.<id>.terminated} (the pool refills on it; proxy-sync drops the route).
 * Any step may have happened already; running it twice changes nothing the second time.
 */
@ApplicationScoped
public class Teardown {

  private static final Logger LOG = Logger.getLogger(Teardown.class);

  private final Store store;
  private final Leases leases;
  private final LeaseHeartbeat heartbeat;
  private final DockerHosts hosts;
  private final InstanceEvents events;

  Teardown(Leases leases, DockerHosts hosts, InstanceEvents events, CleanupConfig config) {
    this.leases = leases;
    this.store = leases.store();
    this.heartbeat = new LeaseHeartbeat(store, config.consumer().lease());
    this.hosts = hosts;
    this.events = events;
  }

  /** The teardown claims this worker holds; {@link LeaseHeartbeat#renewAll} runs supervised. */
  public LeaseHeartbeat heartbeat() {
    return heartbeat;
  }

  /** This worker's claims (its id; {@link Leases#releaseAll} at startup). */
  public Leases leases() {
    return leases;
  }

  /** Tears instance {@code id} down; the outcome tells the consumer whether to try again. */
  public Outcome teardown(String id, String reason) {
    try {
      return run(id, reason);
    } catch (DockerUnavailableException | StoreException | MessagingException e) {
      LOG.warnf("teardown of %s: %s; retrying later", id, e.getMessage());
      return Outcome.retryLater(e.getMessage());
    }
  }

  private Outcome run(String id, String reason) {
    long fence;
    switch (leases.claimTerminate(id, heartbeat.lease())) {
      case ClaimResult.Claimed c -> fence = c.fence();
      case ClaimResult.Busy b -> {
        Duration wait = Duration.between(Instant.now(), b.leaseUntil()).plusMillis(50);
        return Outcome.retryLater(wait.isNegative() ? Duration.ofMillis(50) : wait, "busy");
      }
      case NotFound n -> {
        removeContainer(id);
        return Outcome.done();
      }
      case WrongState w -> {
        return notTerminating(id, w.state());
      }
    }
    FencedResult r;
    try (LeaseHeartbeat.Held held = heartbeat.hold(id, fence)) {
      try {
        removeContainer(id);
      } catch (DockerUnavailableException e) {
        held.release(); // the retry (on any replica) claims at once
        throw e;
      }
      r = store.lifecycle().markTerminated(id, fence);
    }
    if (r instanceof Changed c) {
      if (!c.repeat()) {
        LOG.infof("instance %s terminated (%s)", id, reason);
      }
      events.publish(InstanceEventKind.TERMINATED, c.instance(), reason);
    } else if (r instanceof StaleFence) {
      LOG.infof("teardown of %s taken over by another worker", id);
    }
    return Outcome.done();
  }

  private Outcome notTerminating(String id, InstanceState state) {
    switch (state) {
      case TERMINATED -> {
        // a redelivery after mark_terminated: make sure the event went out (same msg id)
        store
            .instance(id)
            .ifPresent(inst -> events.publish(InstanceEventKind.TERMINATED, inst, null));
      }
      case FAILED -> removeContainer(id);
      default -> LOG.warnf("teardown of %s asked while it is %s: ignored", id, state.wire());
    }
    return Outcome.done();
  }

  /**
   * Removes {@code trynow-<id>} if it is ours (both ownership labels and the instance label), on
   * the Docker host its record names (any cleanup replica reaches every host). A host that has been
   * drained is skipped: its containers are swept when it is re-admitted. With no record, every host
   * that is not drained is looked at.
   *
   * @return true when a container was removed
   */
  public boolean removeContainer(String id) {
    java.util.Set<String> down = store.capacity().hostsDown().keySet();
    Optional<Instance> rec = store.instance(id);
    if (rec.isPresent()) {
      String host = hosts.registry().hostOf(rec.get().host()).map(h -> h.name()).orElse(null);
      if (host == null) {
        LOG.warnf("instance %s is on host %s, which is not in the registry", id, rec.get().host());
        return false;
      }
      if (down.contains(host)) {
        LOG.debugf(
            "instance %s: host %s is drained; its container is swept on re-admission", id, host);
        return false;
      }
      return removeOn(hosts.on(host).orElseThrow(), id);
    }
    boolean removed = false;
    for (var e : hosts.all()) {
      if (!down.contains(e.getKey().name())) {
        removed |= removeOn(e.getValue(), id);
      }
    }
    return removed;
  }

  /** Removes instance {@code id}'s container from one host's engine, if it is ours. */
  public boolean removeOn(Containers containers, String id) {
    String name = Labels.containerName(id);
    Optional<ContainerInfo> c = containers.inspect(name);
    if (c.isEmpty()) {
      return false;
    }
    if (!c.get().ownedBy(store.prefix()) || !c.get().instanceId().orElse("").equals(id)) {
      LOG.warnf("container %s is not ours (labels %s): not removing it", name, c.get().labels());
      return false;
    }
    return containers.remove(c.get().id());
  }
}
