package io.trynow.cleanup.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.cleanup.teardown.Teardown;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.FencedResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Level-triggered repair (like Nomad's dangling-container reaper): compares what Valkey says should
 * exist with what Docker has, on a timer, so a lost message, a crashed worker or a restarted
 * dockerd delays cleanup but never leaks. Desired = live records; actual = containers labelled
 * {@code trynow.managed=true} and {@code trynow.cluster=<own prefix>} (never anyone else's).
 *
 * <ul>
 *   <li>a container with no live record, older than the grace period → removed
 *   <li>{@code requested} / {@code provisioning} / {@code started} past their deadline → container
 *       removed first, then failed (frees the port)
 *   <li>{@code ready} / {@code assigned} whose container is gone or not running → failed, and
 *       {@code instance.<id>.failed} published (an assigned visitor is told)
 *   <li>{@code terminating} left unclaimed past its grace → torn down here
 * </ul>
 *
 * A Docker listing that fails aborts the pass: "could not see" is never read as "gone". Each repair
 * is counted ({@link #REPAIRS}{kind}) and logged once.
 */
@ApplicationScoped
public class OrphanSweeper {

  private static final Logger LOG = Logger.getLogger(OrphanSweeper.class);

  /** Repairs by kind. */
  public static final String REPAIRS = "trynow_cleanup_repairs_total";

  /** What one pass repaired, by kind. */
  public record Pass(Map<Repair, Integer> repairs) {
    public int count(Repair r) {
      return repairs.getOrDefault(r, 0);
    }
  }

  /** Kinds of repair (the metric's {@code kind} tag). */
  public enum Repair {
    ORPHAN_CONTAINER,
    STUCK_REQUESTED,
    STUCK_PROVISIONING,
    STUCK_STARTED,
    DEAD_CONTAINER,
    STUCK_TERMINATING,
    LEAKED_PORT;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Store store;
  private final DockerHosts hosts;
  private final Teardown teardown;
  private final InstanceEvents events;
  private final CleanupConfig.Sweeper config;
  private final MeterRegistry registry;
  private final Clock clock;

  OrphanSweeper(
      Store store,
      DockerHosts hosts,
      Teardown teardown,
      InstanceEvents events,
      CleanupConfig config,
      MeterRegistry registry) {
    this.store = store;
    this.hosts = hosts;
    this.teardown = teardown;
    this.events = events;
    this.config = config.sweeper();
    this.registry = registry;
    this.clock = Clock.systemUTC();
  }

  /** One full pass. Throws when Docker or Valkey cannot be read (the supervisor backs off). */
  public Pass sweepOnce() {
    Map<Repair, Integer> done = new EnumMap<>(Repair.class);
    // Containers first, records second: a record always exists before its container, so a
    // container listed here whose record is missing below really has none.
    // Every host that is not drained and answers; a drained host is swept when re-admitted, one
    // that does not answer is the host monitor's business (it drains it after a grace).
    Map<String, ContainerInfo> byInstance = new HashMap<>();
    List<Map.Entry<String, ContainerInfo>> listed = new java.util.ArrayList<>();
    java.util.Set<String> reachable = new java.util.HashSet<>();
    java.util.Set<String> down = store.capacity().hostsDown().keySet();
    DockerUnavailableException unreachable = null;
    for (var e : hosts.all()) {
      String host = e.getKey().name();
      if (down.contains(host)) {
        continue;
      }
      try {
        for (ContainerInfo c : e.getValue().listManaged(store.prefix())) {
          listed.add(Map.entry(host, c));
          c.instanceId().ifPresent(id -> byInstance.put(id, c));
        }
        reachable.add(host);
      } catch (DockerUnavailableException ex) {
        unreachable = ex;
        LOG.debugf("sweeper: host %s does not answer (%s)", host, ex.getMessage());
      }
    }
    if (reachable.isEmpty() && unreachable != null) {
      throw unreachable;
    }
    Map<String, Instance> live = new HashMap<>();
    // forward through the states: an instance moving on between two reads is seen again later
    for (InstanceState s : InstanceState.values()) {
      if (s.isLive()) {
        store.instances(s).forEach(i -> live.put(i.id(), i));
      }
    }
    Instant now = clock.instant();

    for (Map.Entry<String, ContainerInfo> hc : listed) {
      String host = hc.getKey();
      ContainerInfo c = hc.getValue();
      String id = c.instanceId().orElse(null);
      if (id != null && live.containsKey(id) && onHost(live.get(id), host)) {
        continue;
      }
      if (c.createdAt() != null && c.createdAt().plus(config.orphanGrace()).isAfter(now)) {
        continue;
      }
      if (id != null
          && store.instance(id).map(i -> i.state().isLive() && onHost(i, host)).orElse(false)) {
        continue; // became live after the listing (or moved between two reads)
      }
      if (hosts.on(host).orElseThrow().remove(c.id())) {
        repaired(
            done, Repair.ORPHAN_CONTAINER, id, "container " + c.name() + " had no live record");
      }
    }

    for (Instance i : live.values()) {
      switch (i.state()) {
        case REQUESTED -> {
          if (older(i.createdAt(), config.requestedDeadline(), now)) {
            fail(done, i, Repair.STUCK_REQUESTED, "stuck in requested", false);
          }
        }
        case PROVISIONING -> {
          if (leaseOver(i, now) && older(i.leaseUntil(), config.provisioningDeadline(), now)) {
            fail(done, i, Repair.STUCK_PROVISIONING, "stuck in provisioning", true);
          }
        }
        case STARTED -> {
          if (older(i.startedAt(), config.startedDeadline(), now)) {
            fail(done, i, Repair.STUCK_STARTED, "never became ready", true);
          }
        }
        case READY, ASSIGNED -> {
          String host = hostName(i);
          if (host == null || !reachable.contains(host)) {
            continue; // its host is drained or does not answer: the host monitor decides
          }
          ContainerInfo c = byInstance.get(i.id());
          if (c == null || !c.running()) {
            Optional<ContainerInfo> again =
                hosts.on(host).orElseThrow().inspect(Labels.containerName(i.id()));
            if (again.isEmpty() || !again.get().running()) {
              String why = again.map(x -> "container " + x.status()).orElse("container gone");
              fail(done, i, Repair.DEAD_CONTAINER, why, true);
            }
          }
        }
        case TERMINATING -> {
          if (leaseOver(i, now) && older(i.endedAt(), config.terminatingGrace(), now)) {
            teardown.teardown(i.id(), "sweeper");
            if (store
                .instance(i.id())
                .map(x -> x.state() == InstanceState.TERMINATED)
                .orElse(true)) {
              repaired(
                  done, Repair.STUCK_TERMINATING, i.id(), "terminating left behind, torn down");
            }
          }
        }
        default -> {}
      }
    }
    store
        .capacity()
        .reclaimPorts(1000)
        .forEach((port, holder) ->
            repaired(done, Repair.LEAKED_PORT, holder, "port " + port + " had no live holder"));
    return new Pass(done);
  }

  /**
   * Removes the container first (so the freed port is really free), then fails the record without a
   * claim (a compare-and-set on its state: a worker that moved it meanwhile wins).
   */
  private void fail(
      Map<Repair, Integer> done, Instance i, Repair kind, String why, boolean removeFirst) {
    if (removeFirst) {
      teardown.removeContainer(i.id());
    }
    FencedResult r = store.provisioning().markFailed(i.id(), why);
    if (r instanceof Changed c && !c.repeat()) {
      repaired(done, kind, i.id(), why);
      try {
        events.publish(InstanceEventKind.FAILED, c.instance(), why);
      } catch (MessagingException e) {
        LOG.warnf("instance %s failed, event not published: %s", i.id(), e.getMessage());
      }
      if (!removeFirst) {
        teardown.removeContainer(i.id());
      }
    }
  }

  private void repaired(Map<Repair, Integer> done, Repair kind, String id, String why) {
    done.merge(kind, 1, Integer::sum);
    Counter.builder(REPAIRS)
        .description("repairs made by the orphan sweeper, by kind")
        .tag("kind", kind.tag())
        .register(registry)
        .increment();
    LOG.infof("repaired %s: instance %s: %s", kind.tag(), id, why);
  }

  /** The registry name of the host an instance's record names (null: not in the registry). */
  private String hostName(Instance i) {
    return hosts.registry().hostOf(i.host()).map(h -> h.name()).orElse(null);
  }

  private boolean onHost(Instance i, String host) {
    return host.equals(hostName(i));
  }

  private static boolean leaseOver(Instance i, Instant now) {
    return i.leaseUntil() == null || !i.leaseUntil().isAfter(now);
  }

  private static boolean older(Instant t, Duration d, Instant now) {
    return t == null || t.plus(d).isBefore(now);
  }
}
