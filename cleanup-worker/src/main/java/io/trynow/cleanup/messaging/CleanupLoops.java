package io.trynow.cleanup.messaging;

import io.quarkus.runtime.StartupEvent;
import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.cleanup.hosts.HostMonitor;
import io.trynow.cleanup.idle.IdleProber;
import io.trynow.cleanup.reap.Reaper;
import io.trynow.cleanup.reconcile.CountRepair;
import io.trynow.cleanup.reconcile.OrphanSweeper;
import io.trynow.cleanup.teardown.Backlog;
import io.trynow.cleanup.teardown.Teardown;
import io.trynow.model.CleanupRequest;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.model.Subjects;
import io.trynow.platform.hosts.HostMonitorConfig;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

/**
 * Starts the cleanup worker's supervised loops: the teardown consumer of {@code trynow.cleanup.>}
 * (the reaper's requests and the gateway's DELETE), the reaper timer, the orphan sweeper timer, the
 * Docker host monitor (drain / re-admit) and the idle prober timer.
 */
@ApplicationScoped
public class CleanupLoops {

  private final Consumers consumers;
  private final Supervisor supervisor;
  private final Teardown teardown;
  private final Reaper reaper;
  private final OrphanSweeper sweeper;
  private final CleanupConfig config;
  private final HostMonitor hostMonitor;
  private final HostMonitorConfig hostMonitorConfig;
  private final IdleProber prober;
  private final Backlog backlog;
  private final CountRepair counts;

  CleanupLoops(
      Consumers consumers,
      Supervisor supervisor,
      Teardown teardown,
      Reaper reaper,
      OrphanSweeper sweeper,
      CleanupConfig config,
      HostMonitor hostMonitor,
      HostMonitorConfig hostMonitorConfig,
      IdleProber prober,
      Backlog backlog,
      CountRepair counts) {
    this.prober = prober;
    this.backlog = backlog;
    this.counts = counts;
    this.hostMonitor = hostMonitor;
    this.hostMonitorConfig = hostMonitorConfig;
    this.consumers = consumers;
    this.supervisor = supervisor;
    this.teardown = teardown;
    this.reaper = reaper;
    this.sweeper = sweeper;
    this.config = config;
  }

  void start(@Observes StartupEvent ev) {
    // Teardown claims are short leases kept alive here while their teardown runs; what this worker
    // held before a restart (same worker id) is handed back before any new work, and the backlog
    // tears down every unclaimed terminating instance from Valkey at once, then on each tick.
    teardown.leases().releaseAtStartup();
    supervisor.every(
        "lease-heartbeat", teardown.heartbeat().period(), teardown.heartbeat()::renewAll);
    supervisor.every("teardown-backlog", config.backlog().interval(), this::drainBacklog);
    supervisor.every("index-repair", config.indexes().interval(), counts::repairOnce);
    consumers.consume(
        ConsumerSpec.of(Subjects.STREAM_CLEANUP, Subjects.CLEANUP_ALL, config.consumer()),
        this::handle);
    // a pass, then the wait until the earliest expiry (Reaper.nextWait: within interval..max-wait)
    supervisor.run(
        "reaper",
        () -> {
          reaper.reapOnce();
          Thread.sleep(reaper.nextWait().toMillis());
        });
    supervisor.every("orphan-sweeper", config.sweeper().interval(), sweeper::sweepOnce);
    supervisor.every("host-monitor", hostMonitorConfig.interval(), hostMonitor::checkOnce);
    if (prober.enabled()) {
      supervisor.every("idle-prober", prober.interval(), () -> prober.probeOnce());
    }
  }

  private void drainBacklog() {
    try {
      backlog.drainOnce();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // shutting down: the supervisor stops the loop
    }
  }

  Outcome handle(Delivery d) {
    CleanupRequest req;
    try {
      req = d.json(CleanupRequest.class);
    } catch (IllegalArgumentException e) {
      return Outcome.giveUp("malformed cleanup request: " + e.getMessage());
    }
    if (req == null || !Ids.isInstance(req.instanceId())) {
      return Outcome.giveUp("cleanup request without a valid instance id");
    }
    MDC.put(Headers.MDC_INSTANCE_ID, req.instanceId());
    try {
      return teardown.teardown(req.instanceId(), req.reason() == null ? "cleanup" : req.reason());
    } finally {
      MDC.remove(Headers.MDC_INSTANCE_ID);
    }
  }
}
