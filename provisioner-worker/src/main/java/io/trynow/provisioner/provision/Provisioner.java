package io.trynow.provisioner.provision;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.ProvisionRequest;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.docker.DockerRejectedException;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.docker.ForeignContainerException;
import io.trynow.platform.docker.ImageMissingException;
import io.trynow.platform.docker.InvalidTemplateException;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.FencedResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.LeaseHeartbeat;
import io.trynow.platform.state.Leases;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.StaleFence;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.provisioner.config.ProvisionerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One provision request, start to finish: claim the instance (a short lease in this worker's name +
 * a fencing token, renewed by the {@link LeaseHeartbeat} while the attempt runs), allocate its
 * port, create or adopt its container, start it, wait for its health path, {@code mark_started},
 * publish {@code instance.<id>.started}. Idempotent: a redelivered or replayed request finds the
 * claim, the port and the container already there and never makes a second container. A worker that
 * dies stops renewing: its claim lapses within one lease and the redelivery (on any replica) takes
 * it over and adopts the container; this worker's own claim (after a failed attempt, or after a
 * restart under the same worker id) is claimed again at once.
 *
 * <p>Where the container goes: {@link Placement}. How a failed attempt ends (retry, or fail the
 * instance and count it against the template's circuit): {@link ProvisionFailures}. A request whose
 * template's circuit is open is cancelled at its claim (no container is tried).
 */
@ApplicationScoped
public class Provisioner {

  private static final Logger LOG = Logger.getLogger(Provisioner.class);

  private final Store store;
  private final Leases leases;
  private final LeaseHeartbeat heartbeat;
  private final TemplatesConfig templates;
  private final Endpoints endpoints;
  private final InstanceEvents events;
  private final InstanceHealth health;
  private final ProvisionMetrics metrics;
  private final Replacements replacements;
  private final ImageWatch images;
  private final ProvisionFailures failures;
  private final Placement placement;
  private final SlotRefill refill;
  private final EngineSlots engine = new EngineSlots();

  Provisioner(
      Leases leases,
      DockerHosts hosts,
      TemplatesConfig templates,
      ProvisionerConfig config,
      Endpoints endpoints,
      InstanceEvents events,
      MeterRegistry registry,
      ImageWatch images,
      Publisher publisher) {
    this.leases = leases;
    this.store = leases.store();
    this.images = images;
    this.endpoints = endpoints;
    this.templates = templates;
    this.events = events;
    this.heartbeat = new LeaseHeartbeat(store, config.lease());
    this.metrics = new ProvisionMetrics(registry, templates.templates().keySet());
    this.replacements = new Replacements(store);
    this.failures = new ProvisionFailures(store, events, metrics, config.lease());
    this.placement = new Placement(store, hosts, failures);
    this.refill = config.slotRefill() ? new SlotRefill(store, publisher, registry) : null;
    ProvisionerConfig.Health h = config.health();
    this.health =
        new InstanceHealth(
            new InstanceHealth.Settings(
                h.firstInterval(), h.maxInterval(), h.requestTimeout(), h.containerCheckEvery()));
  }

  /** The claims this worker holds; {@link LeaseHeartbeat#renewAll} runs as a supervised loop. */
  public LeaseHeartbeat heartbeat() {
    return heartbeat;
  }

  /** This worker's claims (its id; {@link Leases#releaseAll} at startup). */
  public Leases leases() {
    return leases;
  }

  /**
   * Handles one delivery of a provision request.
   *
   * @param lastDelivery no redelivery will follow: a transient failure is final now
   */
  public Outcome provision(ProvisionRequest req, boolean lastDelivery) {
    return provision(req, lastDelivery, null);
  }

  /**
   * Handles one delivery of a provision request.
   *
   * @param lastDelivery no redelivery will follow: a transient failure is final now
   * @param replayOf the dead letter this request was replayed from, or null: a replayed request
   *     whose instance has failed provisions a replacement instead (see {@link Replacements})
   */
  public Outcome provision(ProvisionRequest req, boolean lastDelivery, String replayOf) {
    if (req == null || !Ids.isInstance(req.instanceId()) || !Ids.isTemplate(req.template())) {
      return Outcome.giveUp("malformed provision request");
    }
    String id = req.instanceId();
    Template template = templates.templates().get(req.template());
    ClaimResult claim;
    try {
      claim = leases.claimProvision(id, heartbeat.lease());
    } catch (StoreException e) {
      return Outcome.retryLater("valkey: " + e.getMessage());
    }
    long fence;
    switch (claim) {
      case ClaimResult.Claimed c -> fence = c.fence();
      case ClaimResult.Busy b -> {
        Duration wait = Duration.between(Instant.now(), b.leaseUntil()).plusMillis(100);
        LOG.infof(
            "instance %s is being provisioned by another worker until %s", id, b.leaseUntil());
        return Outcome.retryLater(wait.isNegative() ? Duration.ofMillis(100) : wait, "busy");
      }
      case NotFound n -> {
        LOG.infof("instance %s has no record: nothing to provision", id);
        return Outcome.done();
      }
      case WrongState w -> {
        if (w.state() == InstanceState.FAILED && replayOf != null && template != null) {
          Optional<String> replacement =
              replacements.reserve(id, req.template(), template, replayOf);
          if (replacement.isEmpty()) {
            return Outcome.done();
          }
          MDC.put(Headers.MDC_INSTANCE_ID, replacement.get());
          return provision(
              new ProvisionRequest(replacement.get(), req.template(), req.requestId()),
              lastDelivery,
              null);
        }
        return alreadyPast(id, w.state());
      }
    }
    try (LeaseHeartbeat.Held held = heartbeat.hold(id, fence)) {
      Attempt a = new Attempt(id, req.template(), held);
      if (template == null) {
        return failures.fail(a, null, "unknown template " + req.template(), true, null);
      }
      return run(a, template, lastDelivery);
    }
  }

  private Outcome run(Attempt a, Template template, boolean lastDelivery) {
    String id = a.id();
    Timer.Sample sample = Timer.start();
    Target target = null;
    EngineSlots.Slot slot = null;
    try {
      Placement.Placed placed = placement.place(a, template, lastDelivery);
      if (placed.outcome() != null) {
        return placed.outcome();
      }
      String host = placed.host();
      int port;
      switch (store.provisioning().allocatePort(id, a.fence())) {
        case PortResult.Allocated p -> port = p.port();
        case PortResult.NoFreePort n -> {
          return failures.transientFailure(a, null, "no free port", lastDelivery);
        }
        case StaleFence s -> {
          return claimLostBeforePort(id);
        }
        case NotFound n -> {
          return claimLostBeforePort(id);
        }
        case WrongState w -> {
          return claimLostBeforePort(id);
        }
      }
      ContainerSpec spec =
          ContainerSpec.forInstance(
              id,
              a.template(),
              template,
              port,
              store.prefix(),
              endpoints.publishHost(host),
              endpoints.publicUrl(id));
      Containers containers = placed.containers();
      target = new Target(host, containers, spec);
      // claimed, placed and given a port ahead: wait only for the engine (EngineSlots)
      slot = engine.acquire(a.template(), template.maxInFlight());
      if (a.claim().lost()) {
        LOG.infof("instance %s: claim lost while waiting for an engine slot; stopping", id);
        return Outcome.done();
      }
      Containers.Created created = containers.ensureCreated(spec);
      if (created.adopted()) {
        LOG.infof("instance %s: adopted its existing container %s", id, spec.name());
      }
      if (!created.running() && spec.networkMode() == ContainerSpec.NetworkMode.HOST) {
        Placement.requirePortFree(endpoints.instanceAddress(host), port);
      }
      containers.start(created.id());
      if (a.claim().lost()) {
        LOG.infof("instance %s: claim lost while starting its container; leaving it", id);
        return Outcome.done();
      }
      String name = spec.name();
      Duration took =
          health.await(
              endpoints.instanceUri(host, port, template.healthPath()),
              template.healthTimeout(),
              () -> problem(containers, name));
      LOG.debugf("instance %s healthy %d ms after start", id, took.toMillis());
      slot.close(); // the engine's work is done: the next prepared container starts now
      return started(a, target, sample);
    } catch (InvalidTemplateException e) {
      return failures.fail(a, null, e.getMessage(), true, template.circuit().policy());
    } catch (ForeignContainerException e) {
      return failures.fail(a, null, e.getMessage(), true, null);
    } catch (ImageMissingException e) {
      images.missing(a.template(), e);
      return failures.fail(a, target, e.getMessage(), true, template.circuit().policy());
    } catch (DockerRejectedException | InstanceHealth.NeverHealthyException e) {
      return failures.fail(a, target, e.getMessage(), true, template.circuit().policy());
    } catch (DockerUnavailableException | StoreException | Placement.PortBusyException e) {
      return failures.transientFailure(a, target, e.getMessage(), lastDelivery);
    } catch (InterruptedException e) {
      // shutting down: hand the claim back first (the flag is clear now), so that another
      // replica's redelivery does not wait for our lease
      a.claim().release();
      Thread.currentThread().interrupt();
      return Outcome.retryLater("interrupted (shutting down)");
    } finally {
      if (slot != null) {
        slot.close();
      }
    }
  }

  private Outcome started(Attempt a, Target target, Timer.Sample sample) {
    String id = a.id();
    ContainerSpec spec = target.spec();
    Containers containers = target.containers();
    FencedResult r = store.provisioning().markStarted(id, a.fence(), spec.name());
    switch (r) {
      case Changed c -> {
        metrics.provisioned(a.template(), sample);
        LOG.infof("instance %s started on %s port %d", id, target.host(), spec.hostPort());
        // the slot this provision held is free: the next container first, then the event
        Template tpl = templates.templates().get(a.template());
        if (refill != null && tpl != null) {
          refill.afterStarted(a.template(), tpl);
        }
        return publishStarted(c.instance());
      }
      case StaleFence s -> {
        LOG.infof("instance %s: claim taken over before mark_started; leaving it", id);
        return Outcome.done();
      }
      case WrongState w -> {
        if (w.state() == InstanceState.FAILED || w.state() == InstanceState.TERMINATED) {
          LOG.infof("instance %s became %s while starting: removing its container", id, w.state());
          containers.remove(spec.name());
        }
        return Outcome.done();
      }
      case NotFound n -> {
        containers.remove(spec.name());
        return Outcome.done();
      }
    }
  }

  /** The record is past provisioning: a redelivery or replay. Make sure its event went out. */
  private Outcome alreadyPast(String id, InstanceState state) {
    if (state == InstanceState.STARTED) {
      Optional<Instance> inst = store.instance(id);
      if (inst.isPresent() && inst.get().state() == InstanceState.STARTED) {
        LOG.infof("instance %s already started: re-publishing its event", id);
        return publishStarted(inst.get());
      }
    }
    LOG.infof("instance %s is %s: nothing to provision", id, state.wire());
    return Outcome.done();
  }

  private Outcome publishStarted(Instance inst) {
    try {
      events.publish(InstanceEventKind.STARTED, inst, null);
      return Outcome.done();
    } catch (MessagingException e) {
      // the record is started; the redelivery re-publishes (same msg id, de-duplicated)
      return Outcome.retryLater("started, event not published: " + e.getMessage());
    }
  }

  private static Optional<String> problem(Containers containers, String name) {
    try {
      Optional<ContainerInfo> c = containers.inspect(name);
      if (c.isEmpty()) {
        return Optional.of("container " + name + " disappeared");
      }
      if (!c.get().running()) {
        return Optional.of("container " + name + " is " + c.get().status());
      }
      return Optional.empty();
    } catch (DockerUnavailableException e) {
      return Optional.empty(); // the engine is unsure; keep polling until the deadline
    }
  }

  private static Outcome claimLostBeforePort(String id) {
    LOG.infof("instance %s: claim lost before the port was allocated; stopping", id);
    return Outcome.done();
  }
}
