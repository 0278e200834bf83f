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
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.CircuitPolicy;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.FencedResult;
import io.trynow.platform.state.HostSlot;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.PlaceResult;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.StaleFence;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.provisioner.config.ProvisionerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One provision request, start to finish: claim the instance (lease + fencing token), allocate its
 * port, create or adopt its container, start it, wait for its health path, {@code mark_started},
 * publish {@code instance.<id>.started}. Idempotent: a redelivered or replayed request finds the
 * claim, the port and the container already there and never makes a second container.
 *
 * <p>A failure that says something about the template (missing image, bad template, health never
 * passing) counts against the template's failure circuit, in the same store call that fails the
 * instance; a request whose template's circuit is open is cancelled at its claim (no container is
 * tried). A transient failure retries later; a permanent one (missing image, bad template, health
 * never passing) or the last delivery removes the container, then fails the instance (which frees
 * the port — only after the container is gone, so a port is never handed out while something still
 * listens on it) and dead-letters the request.
 */
@ApplicationScoped
public class Provisioner {

  private static final Logger LOG = Logger.getLogger(Provisioner.class);

  private final Store store;
  private final DockerHosts hosts;
  private final TemplatesConfig templates;
  private final ProvisionerConfig config;
  private final Endpoints endpoints;
  private final InstanceEvents events;
  private final InstanceHealth health;
  private final ProvisionMetrics metrics;
  private final Replacements replacements;
  private final ImageWatch images;

  Provisioner(
      Store store,
      DockerHosts hosts,
      TemplatesConfig templates,
      ProvisionerConfig config,
      Endpoints endpoints,
      InstanceEvents events,
      MeterRegistry registry,
      ImageWatch images) {
    this.images = images;
    this.endpoints = endpoints;
    this.store = store;
    this.hosts = hosts;
    this.templates = templates;
    this.config = config;
    this.events = events;
    this.metrics = new ProvisionMetrics(registry, templates.templates().keySet());
    this.replacements = new Replacements(store);
    ProvisionerConfig.Health h = config.health();
    this.health =
        new InstanceHealth(
            new InstanceHealth.Settings(
                h.firstInterval(), h.maxInterval(), h.requestTimeout(), h.containerCheckEvery()));
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
    Duration lease = lease(template);
    Timer.Sample sample = Timer.start();

    ClaimResult claim;
    try {
      claim = store.claimProvision(id, lease);
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

    if (template == null) {
      return fail(id, fence, req.template(), null, "unknown template " + req.template(), true);
    }
    Target target = null;
    try {
      PlaceOrOutcome placed = place(id, fence, req.template(), template, lastDelivery);
      if (placed.outcome() != null) {
        return placed.outcome();
      }
      String host = placed.host();
      Containers containers = placed.containers();
      int port =
          switch (store.allocatePort(id, fence)) {
            case PortResult.Allocated a -> a.port();
            case PortResult.NoFreePort n -> {
              yield -1;
            }
            case StaleFence s -> -2;
            case NotFound n -> -2;
            case WrongState w -> -2;
          };
      if (port == -2) {
        LOG.infof("instance %s: claim lost before the port was allocated; stopping", id);
        return Outcome.done();
      }
      if (port == -1) {
        return transientFailure(id, fence, req.template(), null, "no free port", lastDelivery);
      }
      ContainerSpec spec =
          ContainerSpec.forInstance(
              id,
              req.template(),
              template,
              port,
              store.prefix(),
              endpoints.publishHost(host),
              endpoints.publicUrl(id));
      target = new Target(host, containers, spec);
      Containers.Created created = containers.ensureCreated(spec);
      if (created.adopted()) {
        LOG.infof("instance %s: adopted its existing container %s", id, spec.name());
      }
      if (!created.running() && spec.networkMode() == ContainerSpec.NetworkMode.HOST) {
        requirePortFree(endpoints.instanceAddress(host), port);
      }
      containers.start(created.id());
      if (!(store.renewLease(id, fence, lease) instanceof Changed)) {
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
      return started(id, fence, target, req.template(), sample);
    } catch (InvalidTemplateException e) {
      return failTemplate(id, fence, req.template(), template, null, e.getMessage());
    } catch (ForeignContainerException e) {
      return fail(id, fence, req.template(), null, e.getMessage(), true);
    } catch (ImageMissingException e) {
      images.missing(req.template(), e);
      return failTemplate(id, fence, req.template(), template, target, e.getMessage());
    } catch (DockerRejectedException e) {
      return failTemplate(id, fence, req.template(), template, target, e.getMessage());
    } catch (InstanceHealth.NeverHealthyException e) {
      return failTemplate(id, fence, req.template(), template, target, e.getMessage());
    } catch (DockerUnavailableException | StoreException | PortBusyException e) {
      return transientFailure(id, fence, req.template(), target, e.getMessage(), lastDelivery);
    } catch (InterruptedException e) {
      // shutting down: hand the claim back first (the flag is clear now), so that another
      // replica's redelivery does not wait for our lease
      releaseClaim(id, fence);
      Thread.currentThread().interrupt();
      return Outcome.retryLater("interrupted (shutting down)");
    }
  }

  private Outcome started(
      String id, long fence, Target target, String template, Timer.Sample sample) {
    ContainerSpec spec = target.spec();
    Containers containers = target.containers();
    FencedResult r = store.markStarted(id, fence, spec.name());
    switch (r) {
      case Changed c -> {
        metrics.provisioned(template, sample);
        LOG.infof("instance %s started on %s port %d", id, target.host(), spec.hostPort());
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

  private Outcome transientFailure(
      String id, long fence, String template, Target target, String reason, boolean lastDelivery) {
    if (lastDelivery) {
      return fail(id, fence, template, target, "gave up after the last delivery: " + reason, false);
    }
    LOG.warnf("instance %s: %s; retrying later", id, reason);
    releaseClaim(id, fence);
    return Outcome.retryLater(reason);
  }

  /**
   * Removes the container (while the claim is still ours), then fails the instance (frees its
   * port), publishes {@code failed}, and gives up: the request goes to the dead letters. When the
   * container cannot be removed the instance is not failed (its port stays taken) — the orphan
   * sweeper finishes the job once the engine answers.
   */
  private Outcome fail(
      String id, long fence, String template, Target target, String reason, boolean permanent) {
    return fail(id, fence, template, target, reason, permanent, null);
  }

  /**
   * {@link #fail} for a failure that says something about the template (its image, its health, its
   * settings): it counts against the template's failure circuit, in the same store call.
   */
  private Outcome failTemplate(
      String id, long fence, String name, Template template, Target target, String reason) {
    return fail(id, fence, name, target, reason, true, template.circuit().policy());
  }

  private Outcome fail(
      String id,
      long fence,
      String template,
      Target target,
      String reason,
      boolean permanent,
      CircuitPolicy circuit) {
    metrics.failed(template, permanent);
    LOG.errorf("instance %s failed: %s", id, reason);
    try {
      if (!(store.renewLease(id, fence, Duration.ofSeconds(30)) instanceof Changed)) {
        LOG.infof("instance %s: claim lost; not touching its container", id);
        return Outcome.giveUp(reason);
      }
      if (target != null) {
        target.containers().remove(target.spec().name());
      }
      FencedResult r =
          circuit == null
              ? store.markFailed(id, fence, reason)
              : store.markFailed(id, fence, reason, circuit);
      if (r instanceof Changed c && !c.repeat()) {
        events.publish(InstanceEventKind.FAILED, c.instance(), reason);
      }
    } catch (DockerUnavailableException | StoreException | MessagingException e) {
      LOG.warnf(
          "instance %s: cleanup after failure incomplete (%s); the sweeper finishes it", id, e);
    }
    return Outcome.giveUp(reason);
  }

  /**
   * Shortens our lease to nothing so that the redelivery (on any replica) can claim at once instead
   * of waiting for it to run out. The container and port stay: the next attempt adopts them.
   */
  private void releaseClaim(String id, long fence) {
    try {
      store.renewLease(id, fence, Duration.ofMillis(1));
    } catch (StoreException e) {
      LOG.debugf(
          "instance %s: lease not released (%s); the retry waits for it", id, e.getMessage());
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

  private Duration lease(Template t) {
    Duration healthTimeout = t == null ? Duration.ofSeconds(60) : t.healthTimeout();
    return healthTimeout.plus(config.leaseMargin());
  }

  /**
   * With host networking, the port must be free before our container binds it: otherwise the health
   * poll could be answered by whatever holds it (e.g. a container left behind).
   */
  private static void requirePortFree(String address, int port) {
    InetAddress at;
    try {
      at = InetAddress.getByName(address);
    } catch (IOException e) {
      return; // not resolvable here: the engine's own bind decides
    }
    if (!at.isLoopbackAddress()) {
      return; // another machine's address: nothing to check from here
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(at, port));
    } catch (IOException e) {
      throw new PortBusyException(address, port);
    }
  }

  /** Where one instance's container goes: its host, that host's engine, and the spec. */
  private record Target(String host, Containers containers, ContainerSpec spec) {}

  /** A placement, or the outcome that ends this delivery. */
  private record PlaceOrOutcome(String host, Containers containers, Outcome outcome) {
    static PlaceOrOutcome end(Outcome o) {
      return new PlaceOrOutcome(null, null, o);
    }
  }

  /**
   * Chooses the instance's Docker host (one store call: most free capacity among the hosts whose
   * labels match the template's placement, drained hosts skipped) — or repeats the earlier choice.
   */
  private PlaceOrOutcome place(
      String id, long fence, String templateName, Template template, boolean lastDelivery) {
    List<HostSlot> candidates = hosts.registry().candidates(template.placement());
    if (candidates.isEmpty()) {
      return PlaceOrOutcome.end(
          fail(
              id,
              fence,
              templateName,
              null,
              "no Docker host matches placement " + template.placement(),
              true));
    }
    switch (store.place(id, fence, candidates)) {
      case PlaceResult.Placed p -> {
        Optional<Containers> c = hosts.on(p.host());
        if (c.isEmpty()) {
          return PlaceOrOutcome.end(
              fail(id, fence, templateName, null, "host " + p.host() + " left the registry", true));
        }
        return new PlaceOrOutcome(p.host(), c.get(), null);
      }
      case PlaceResult.Full f -> {
        return PlaceOrOutcome.end(
            transientFailure(
                id, fence, templateName, null, "no Docker host has room", lastDelivery));
      }
      case PlaceResult.HostDown d -> {
        return PlaceOrOutcome.end(
            fail(id, fence, templateName, null, "host " + d.host() + " was drained", true));
      }
      case StaleFence s -> {
        return PlaceOrOutcome.end(Outcome.done());
      }
      case NotFound n -> {
        return PlaceOrOutcome.end(Outcome.done());
      }
      case WrongState w -> {
        LOG.infof("instance %s is %s before placement: stopping", id, w.state().wire());
        return PlaceOrOutcome.end(Outcome.done());
      }
    }
  }

  /** Something already listens on the instance's port. */
  static final class PortBusyException extends RuntimeException {
    PortBusyException(String address, int port) {
      super("port " + port + " is already in use on " + address);
    }
  }
}
