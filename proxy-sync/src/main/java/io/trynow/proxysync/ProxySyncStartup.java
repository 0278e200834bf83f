package io.trynow.proxysync;

import io.quarkus.runtime.StartupEvent;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.proxysync.config.ProxySyncConfig;
import io.trynow.proxysync.messaging.InstanceEventsHandler;
import io.trynow.proxysync.reconcile.SyncLoop;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Starts proxy-sync's two loops under the Supervisor: the instance-event consumer and the sync. */
@Singleton
public class ProxySyncStartup {

  private static final Logger LOG = Logger.getLogger(ProxySyncStartup.class);

  void onStart(
      @Observes StartupEvent ev,
      ProxySyncConfig config,
      Supervisor supervisor,
      Consumers consumers,
      SyncLoop sync,
      InstanceEventsHandler handler) {
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
}
