package io.trynow.systemtests;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The faults of the chaos suite and <b>the time bounds each is held to</b> — the one place where a
 * bound may be looser than the target, and only while the fix of its known cause has not
 * landed (the {@code awaiting} column says which). Tighten a row to {@link #SETTLE_TARGET} / {@link
 * #GONE_TARGET} when its fix is on main. The correctness invariants ({@link ChaosRun#check}) are
 * never relaxed here or anywhere.
 *
 * <p>A service is killed with SIGKILL and started again at once, as the launcher would, and counts
 * as restored when it is ready; a server (nats-server, Valkey, Caddy) is killed with SIGKILL, left
 * down for {@link #SERVER_OUTAGE} while visitors keep coming, and started again on the same port
 * (NATS and Valkey with their data dirs: JetStream store, AOF {@code everysec}; Caddy empty, as a
 * crash without {@code --resume} leaves it).
 */
enum ChaosFault {

  // fault                                   settle s  gone s  awaiting (null: held to the target)
  PROVISIONER_WORKER(Service.PROVISIONER_WORKER, 20, 10, null),
  POOL_SERVICE(Service.POOL_SERVICE, 20, 10, null),
  PROXY_SYNC(Service.PROXY_SYNC, 20, 10, null),
  CLEANUP_WORKER(Service.CLEANUP_WORKER, 20, 10, null),
  API_GATEWAY(Service.API_GATEWAY, 20, 10, null),
  NATS(null, 20, 10, null),
  VALKEY(null, 20, 10, null),
  CADDY(null, 20, 10, null);

  /** The target: queued visitors served and the pool at its target after a restore. */
  static final Duration SETTLE_TARGET = Duration.ofSeconds(20);

  /** The target: released demos' containers gone after a restore. */
  static final Duration GONE_TARGET = Duration.ofSeconds(10);

  /** How long nats-server, Valkey or Caddy stays down before it is started again. */
  static final Duration SERVER_OUTAGE = Duration.ofSeconds(4);

  final Service service;
  final Duration settleBound;
  final Duration goneBound;

  /** Why this row is looser than the target (the fix it waits for), or null. */
  final String awaiting;

  ChaosFault(Service service, int settleSeconds, int goneSeconds, String awaiting) {
    this.service = service;
    this.settleBound = Duration.ofSeconds(settleSeconds);
    this.goneBound = Duration.ofSeconds(goneSeconds);
    this.awaiting = awaiting;
  }

  static {
    for (ChaosFault f : values()) {
      if (f.awaiting == null
          && (f.settleBound.compareTo(SETTLE_TARGET) > 0
              || f.goneBound.compareTo(GONE_TARGET) > 0)) {
        throw new IllegalStateException(f + ": a bound looser than the target needs a reason");
      }
    }
  }

  /** What the table calls it. */
  String label() {
    return service != null ? service.module() : name().toLowerCase(java.util.Locale.ROOT);
  }

  /** kill -9 the component (and, for a server, leave it down for {@link #SERVER_OUTAGE}). */
  void kill(Stack stack) {
    switch (this) {
      case NATS -> stack.servers().nats().kill();
      case VALKEY -> stack.servers().valkey().kill();
      case CADDY -> stack.servers().caddy().kill();
      default -> stack.kill(service);
    }
    if (service == null) {
      LockSupport.parkNanos(SERVER_OUTAGE.toNanos());
    }
  }

  /** Starts it again the way the harness does, and returns when it answers (a service: ready). */
  void restore(Stack stack) {
    switch (this) {
      case NATS -> stack.servers().nats().start();
      case VALKEY -> {
        stack.servers().valkey().start();
        stack.valkeyFailedOver(); // the test's own connection: a fresh one to the restarted server
      }
      case CADDY -> stack.servers().caddy().start();
      default -> stack.start(service);
    }
  }
}
