package io.trynow.cleanup.hosts;

import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.hosts.DockerHost;
import io.trynow.platform.hosts.HostMonitorConfig;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.state.HostDrain;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Watches every Docker host's engine. A host that fails every ping for {@code drain-after}, while
 * another host answers, is drained ({@link io.trynow.platform.state.Capacity#hostDown}, one call):
 * placement skips it, its live instances are failed (being torn down: terminated), their {@code
 * failed} / {@code terminated} events go out — so proxy-sync removes their routes, the visitors'
 * streams are told, and the replenisher refills the pool on the other hosts. When its engine
 * answers again, its leftover containers are removed first, then it is re-admitted ({@link
 * io.trynow.platform.state.Capacity#hostUp}).
 *
 * <p>Every cleanup replica runs it; the store decides, so a host is drained once and each instance
 * reported once. How long a host has been failing is this replica's own observation (a restarted
 * replica starts its grace again; another replica's drains meanwhile).
 */
@ApplicationScoped
public class HostMonitor {

  private static final Logger LOG = Logger.getLogger(HostMonitor.class);

  private final Store store;
  private final DockerHosts hosts;
  private final InstanceEvents events;
  private final Duration drainAfter;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();

  HostMonitor(Store store, DockerHosts hosts, InstanceEvents events, HostMonitorConfig config) {
    this.store = store;
    this.hosts = hosts;
    this.events = events;
    this.drainAfter = config.drainAfter();
  }

  /** One round: ping every host, drain the ones failing past the grace, re-admit recovered ones. */
  public void checkOnce() {
    Map<String, String> pings = hosts.ping();
    Set<String> down = store.capacity().hostsDown().keySet();
    Instant now = clock.instant();
    for (var e : pings.entrySet()) {
      String host = e.getKey();
      String error = e.getValue();
      if (error == null) {
        failingSince.remove(host);
        if (down.contains(host)) {
          readmit(host);
        }
        continue;
      }
      Instant since = failingSince.computeIfAbsent(host, h -> now);
      if (!down.contains(host)
          && !since.plus(drainAfter).isAfter(now)
          && anotherHostServes(host, pings, down)) {
        drain(host, "docker host " + host + " stopped answering: " + error);
      }
    }
  }

  /**
   * Draining moves a host's work elsewhere: with no other host answering (a single box, or every
   * engine out at once) there is nowhere to go, so the instances are kept for when it is back.
   */
  private static boolean anotherHostServes(
      String host, Map<String, String> pings, Set<String> down) {
    return pings.entrySet().stream()
        .anyMatch(
            e -> !e.getKey().equals(host) && e.getValue() == null && !down.contains(e.getKey()));
  }

  private void drain(String host, String reason) {
    HostDrain d = store.capacity().hostDown(host, reason);
    if (d.newly()) {
      LOG.warnf("%s: drained, %d instance(s) taken off it", reason, d.instances().size());
    }
    for (Instance i : d.instances()) {
      InstanceEventKind kind =
          i.state() == InstanceState.TERMINATED
              ? InstanceEventKind.TERMINATED
              : InstanceEventKind.FAILED;
      try {
        events.publish(kind, i, reason);
      } catch (MessagingException ex) {
        // proxy-sync's reconcile removes the route anyway; the visitor reads the state on reconnect
        LOG.warnf("instance %s %s, event not published: %s", i.id(), kind.wire(), ex.getMessage());
      }
    }
  }

  /**
   * Removes what the host still runs of ours (every instance there was drained), then admits it.
   */
  private void readmit(String host) {
    DockerHost h = hosts.registry().host(host).orElseThrow();
    Containers containers = hosts.on(h.name()).orElseThrow();
    int removed = 0;
    for (ContainerInfo c : containers.listManaged(store.prefix())) {
      String id = c.instanceId().orElse(null);
      boolean liveHere =
          id != null
              && store
                  .instance(id)
                  .map(i -> i.state().isLive() && host.equals(i.host()))
                  .orElse(false);
      if (!liveHere && containers.remove(c.id())) {
        removed++;
      }
    }
    if (store.capacity().hostUp(host)) {
      LOG.infof(
          "docker host %s answers again: %d leftover container(s) removed, re-admitted",
          host, removed);
    }
  }

  /** Hosts this replica has seen failing, and since when (for tests and logs). */
  public Map<String, Instant> failing() {
    return Map.copyOf(failingSince);
  }
}
