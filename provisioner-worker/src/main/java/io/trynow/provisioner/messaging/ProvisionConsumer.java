package io.trynow.provisioner.messaging;

import io.quarkus.runtime.StartupEvent;
import io.trynow.model.Headers;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Capacity;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.provisioner.config.PortsConfig;
import io.trynow.provisioner.config.ProvisionerConfig;
import io.trynow.provisioner.provision.ImageWatch;
import io.trynow.provisioner.provision.Provisioner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code trynow.provision.>} through the supervised durable consumer (explicit ack,
 * in-progress heartbeats while a container starts, backoff, dead letters) and hands each request to
 * the {@link Provisioner}.
 */
@ApplicationScoped
public class ProvisionConsumer {

  private static final Logger LOG = Logger.getLogger(ProvisionConsumer.class);

  private final Consumers consumers;
  private final Provisioner provisioner;
  private static final Duration PORT_RANGE_EVERY = Duration.ofMinutes(1);

  private final ProvisionerConfig config;
  private final PortsConfig ports;
  private final Store store;
  private volatile boolean portsLogged;
  private final ImageWatch images;

  ProvisionConsumer(
      Consumers consumers,
      Provisioner provisioner,
      ProvisionerConfig config,
      PortsConfig ports,
      Store store,
      ImageWatch images) {
    this.images = images;
    this.consumers = consumers;
    this.provisioner = provisioner;
    this.config = config;
    this.ports = ports;
    this.store = store;
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    // Supervised, not once: a Valkey that does not answer at startup (a busy machine) used to
    // leave the range unset, and every provision answered "no free port" until a restart.
    // init_ports is idempotent; the periodic run also restores a range lost with Valkey's data.
    supervisor.every("port-range", PORT_RANGE_EVERY, this::initPorts);
    // Claims are short leases kept alive here while their provision runs; what this worker held
    // before a restart (same worker id) is handed back before any new work is taken.
    provisioner.leases().releaseAtStartup();
    supervisor.every(
        "lease-heartbeat", provisioner.heartbeat().period(), provisioner.heartbeat()::renewAll);
    if (images.enabled()) {
      // Before the first request is taken: a missing image opens its circuit, not a storm.
      images.checkAll();
      supervisor.every("image-check", images.interval(), images::checkAll);
    }
    consumers.consume(
        ConsumerSpec.of(Subjects.STREAM_PROVISION, Subjects.PROVISION_ALL, config.consumer()),
        this::handle);
  }

  private void initPorts() {
    Capacity.PortPool pool = store.capacity().initPorts(ports.first(), ports.last());
    if (!portsLogged) {
      portsLogged = true;
      LOG.infof(
          "instance ports %d-%d: %d free, %d used",
          pool.first(), pool.last(), pool.free(), pool.used());
    }
  }

  Outcome handle(Delivery d) {
    ProvisionRequest req;
    try {
      req = d.json(ProvisionRequest.class);
    } catch (IllegalArgumentException e) {
      return Outcome.giveUp("malformed provision request: " + e.getMessage());
    }
    MDC.put(Headers.MDC_INSTANCE_ID, String.valueOf(req.instanceId()));
    MDC.put(Headers.MDC_TEMPLATE, String.valueOf(req.template()));
    try {
      return provisioner.provision(req, d.isLastDelivery(), d.replayOf());
    } finally {
      MDC.remove(Headers.MDC_INSTANCE_ID);
      MDC.remove(Headers.MDC_TEMPLATE);
    }
  }
}
