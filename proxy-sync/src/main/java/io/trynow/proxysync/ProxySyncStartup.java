package io.trynow.proxysync;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import io.trynow.model.Subjects;
import io.trynow.platform.failpoint.Failpoints;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.proxysync.config.CaddyConfig;
import io.trynow.proxysync.config.CaddyConfigCheck;
import io.trynow.proxysync.config.ProxySyncConfig;
import io.trynow.proxysync.messaging.InstanceEventsHandler;
import io.trynow.proxysync.reconcile.SyncLoop;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/** Starts proxy-sync's two loops under the Supervisor: the instance-event consumer and the sync. */
@Singleton
public class ProxySyncStartup {

  private static final Logger LOG = Logger.getLogger(ProxySyncStartup.class);

  /** The failpoint's key ({@link ProxySyncConfig#failpointDelayBeforeMarkReady}). */
  public static final String FAILPOINT_DELAY_BEFORE_MARK_READY =
      "trynow.proxy-sync.failpoint-delay-before-mark-ready";

  void onStart(
      @Observes StartupEvent ev,
      ProxySyncConfig config,
      CaddyConfig caddy,
      Supervisor supervisor,
      Consumers consumers,
      SyncLoop sync,
      InstanceEventsHandler handler) {
    CaddyConfigCheck.check(caddy);
    refuseFailpointsInProd(
        config, ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles());
    if (config.failpointDelayBeforeMarkReady().isPresent()) {
      LOG.warnf(
          "FAILPOINT ACTIVE: sleeping %s between route confirmation and mark_ready (tests only)",
          config.failpointDelayBeforeMarkReady().get());
    }
    if (!config.loopsEnabled()) {
      LOG.warn("trynow.proxy-sync.loops-enabled=false: no event consumer, no reconcile loop");
      return;
    }
    supervisor.run("route-sync", sync);
    consumers.consume(
        ConsumerSpec.of(
            Subjects.STREAM_EVENTS, Subjects.INSTANCE_EVENTS_ALL, config.eventConsumer()),
        handler);
  }

  /** Failpoints are for tests: set in the prod profile, startup fails naming the key. */
  public static void refuseFailpointsInProd(ProxySyncConfig config, List<String> profiles) {
    Failpoints.refuseInProd(
        FAILPOINT_DELAY_BEFORE_MARK_READY,
        config.failpointDelayBeforeMarkReady().isPresent(),
        profiles);
  }
}
