package io.trynow.systemtests;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scaled-out stack of the scale system tests: two replicas of every service, a three-node NATS
 * cluster (streams at R3), Valkey with a Sentinel, two private Docker engines as the hosts {@code
 * h1} (127.0.0.2) and {@code h2} (127.0.0.3), Caddy; {@code hello} kept at {@link #TARGET} ready.
 */
final class ScaleStacks {

  static final int TARGET = 4;

  /** The longest settling the issue allows after a fault. */
  static final Duration SETTLE = Duration.ofSeconds(60);

  private ScaleStacks() {}

  static Stack.Builder scaled(String name) {
    return Stacks.standard(name)
        .replicas(2)
        .natsCluster(3)
        .valkeySentinel()
        .dockerHosts(2, 12)
        .template("hello", Map.of("min-ready", String.valueOf(TARGET), "max-total", "12"))
        .template(
            "line",
            Map.of(
                "image", io.trynow.testsupport.SampleImage.IMAGE,
                "health-path", "/healthz",
                "min-ready", "0",
                "max-total", "1",
                "max-in-flight", "1",
                "max-queue", "10",
                "health-timeout", "20s"))
        .property(Service.POOL_SERVICE, "trynow.pool.queue-timeout", "3m")
        .property(Service.POOL_SERVICE, "trynow.pool.position-interval", "500ms")
        .property(Service.CLEANUP_WORKER, "trynow.host-monitor.interval", "1s")
        .property(Service.CLEANUP_WORKER, "trynow.host-monitor.drain-after", "6s");
  }

  /** The hosts that serving instances (ready or assigned) run on now. */
  static Set<String> hostsInUse(Stack stack) {
    Set<String> hosts = new TreeSet<>();
    for (InstanceState s : new InstanceState[] {InstanceState.READY, InstanceState.ASSIGNED}) {
      for (Instance i : stack.store().instances(s)) {
        hosts.add(i.host());
      }
    }
    return hosts;
  }
}
