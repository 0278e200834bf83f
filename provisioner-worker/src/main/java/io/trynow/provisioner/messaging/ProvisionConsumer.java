package io.trynow.provisioner.messaging;

import io.quarkus.runtime.StartupEvent;
import io.trynow.model.Headers;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.provisioner.config.PortsConfig;
import io.trynow.provisioner.config.ProvisionerConfig;
import io.trynow.provisioner.provision.Provisioner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
  private final ProvisionerConfig config;
  private final PortsConfig ports;
  private final Store store;
  private volatile boolean portsInitialised;

  ProvisionConsumer(
      Consumers consumers,
      Provisioner provisioner,
      ProvisionerConfig config,
      PortsConfig ports,
      Store store) {
    this.consumers = consumers;
    this.provisioner = provisioner;
    this.config = config;
    this.ports = ports;
    this.store = store;
  }

  void start(@Observes StartupEvent ev) {
    initPorts();
    consumers.consume(spec(config.consumer()), this::handle);
  }

  /**
   * Makes Valkey's free-port set match {@code trynow.ports.*}; idempotent. Tried at startup and,
   * until it succeeds, again before each provision: a Valkey that was unreachable at startup must
   * not leave this worker answering "no free port" forever.
   */
  private boolean initPorts() {
    if (portsInitialised) {
      return true;
    }
    try {
      Store.PortPool pool = store.initPorts(ports.first(), ports.last());
      LOG.infof(
          "instance ports %d-%d: %d free, %d used",
          pool.first(), pool.last(), pool.free(), pool.used());
      portsInitialised = true;
    } catch (StoreException e) {
      LOG.warnf("instance port range not initialised yet (Valkey unreachable): %s", e.getMessage());
    }
    return portsInitialised;
  }

  static ConsumerSpec spec(ProvisionerConfig.Consumer c) {
    return ConsumerSpec.builder(Subjects.STREAM_PROVISION, c.durable(), Subjects.PROVISION_ALL)
        .ackWait(c.ackWait())
        .backoff(c.backoff())
        .maxDeliver(c.maxDeliver())
        .concurrency(c.concurrency())
        .build();
  }

  Outcome handle(Delivery d) {
    if (!initPorts()) {
      return Outcome.retryLater("instance port range not initialised (Valkey unreachable)");
    }
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
