package io.trynow.platform.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Ports;
import io.trynow.model.Labels;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The Docker adapter: every engine call trynow makes, with docker-java's exceptions mapped to
 * domain outcomes here, at the edge. Ownership is by label (managed, instance, cluster), names are
 * deterministic ({@code trynow-<id>}), create adopts an existing container of ours instead of
 * making a second one, and remove treats "not found" as done. Images are never pulled.
 */
public final class Containers {

  private static final Logger LOG = Logger.getLogger(Containers.class);

  private final Supplier<DockerClient> docker;
  private final EngineGuard guard;

  /** Removals in flight at once by default (see {@link DockerConfig#maxParallelRemovals()}). */
  public static final int DEFAULT_PARALLEL_REMOVALS = 4;

  private final Semaphore removals;

  public Containers(DockerClient docker, EngineGuard guard) {
    this(docker, guard, DEFAULT_PARALLEL_REMOVALS);
  }

  /**
   * @param maxParallelRemovals removals this process runs against the engine at once; the rest wait
   *     their turn
   */
  public Containers(DockerClient docker, EngineGuard guard, int maxParallelRemovals) {
    this(() -> docker, guard, maxParallelRemovals);
  }

  /**
   * On a client that may be replaced between calls (an {@link EngineClient} reconnecting after an
   * engine outage).
   */
  public Containers(Supplier<DockerClient> docker, EngineGuard guard, int maxParallelRemovals) {
    if (maxParallelRemovals < 1) {
      throw new IllegalArgumentException("trynow.docker.max-parallel-removals must be at least 1");
    }
    this.docker = docker;
    this.guard = guard;
    this.removals = new Semaphore(maxParallelRemovals, true);
  }

  /**
   * The outcome of {@link #ensureCreated}.
   *
   * @param adopted the container existed already (an earlier attempt, or a concurrent one)
   * @param running it already runs (adopted only)
   */
  public record Created(String id, boolean adopted, boolean running) {}

  /**
   * Creates the container, or adopts the one that already holds its name when that one carries the
   * same instance and cluster labels and has not exited. An exited container of ours is replaced.
   * Safe to call concurrently and repeatedly for the same spec: at most one container results.
   *
   * @throws ImageMissingException the image is not on the engine
   * @throws ForeignContainerException the name is held by a container that is not ours
   * @throws DockerRejectedException the engine refuses the spec
   * @throws DockerUnavailableException a transient engine failure
   */
  public Created ensureCreated(ContainerSpec spec) {
    for (int attempt = 0; attempt < 8; attempt++) {
      try {
        // create first: the common case costs one call; a taken name is looked at below
        String id = call("create " + spec.name(), () -> createCmd(spec).exec().getId());
        return new Created(id, false, false);
      } catch (ConflictException e) {
        LOG.debugf("create %s: the name is taken, looking at the holder", spec.name());
      } catch (NotFoundException e) {
        throw new ImageMissingException(spec.image(), e);
      }
      Optional<ContainerInfo> existing = inspect(spec.name());
      if (existing.isEmpty()) {
        // a concurrent create reserved the name but cannot be inspected yet: give it a moment
        pause(attempt);
        continue;
      }
      ContainerInfo c = existing.get();
      requireOurs(spec, c);
      if (c.running() || c.fresh()) {
        return new Created(c.id(), true, c.running());
      }
      if ("removing".equals(c.status())) {
        throw new DockerUnavailableException("container " + spec.name() + " is being removed");
      }
      LOG.infof("replacing %s container %s of the same instance", c.status(), spec.name());
      remove(c.id());
    }
    throw new DockerUnavailableException("container " + spec.name() + " keeps changing, try later");
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(25L << Math.min(attempt, 4));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerUnavailableException("interrupted while waiting for a concurrent create");
    }
  }

  /** Starts a container; one that already runs is fine. */
  public void start(String idOrName) {
    try {
      call(
          "start " + idOrName,
          () -> {
            docker.get().startContainerCmd(idOrName).exec();
            return null;
          });
    } catch (NotModifiedException e) {
      // already running
    } catch (NotFoundException e) {
      throw new DockerUnavailableException("container " + idOrName + " vanished before start", e);
    }
  }

  /** The container, if it exists. */
  public Optional<ContainerInfo> inspect(String idOrName) {
    try {
      InspectContainerResponse r =
          call("inspect " + idOrName, () -> docker.get().inspectContainerCmd(idOrName).exec());
      return Optional.of(
          new ContainerInfo(
              r.getId(),
              r.getName(),
              r.getConfig() == null ? Map.of() : r.getConfig().getLabels(),
              r.getState() == null ? null : r.getState().getStatus(),
              parseInstant(r.getCreated())));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Removes a container with force (kills it first). Returns false when there was nothing to
   * remove: "not found" is done, and so is a removal already in progress.
   */
  public boolean remove(String idOrName) {
    try {
      removals.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerUnavailableException("interrupted before removing " + idOrName, e);
    }
    try {
      call(
          "remove " + idOrName,
          () -> {
            docker
                .get()
                .removeContainerCmd(idOrName)
                .withForce(true)
                .withRemoveVolumes(true)
                .exec();
            return null;
          });
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (ConflictException e) {
      LOG.debugf("remove %s: already in progress", idOrName);
      return false;
    } finally {
      removals.release();
    }
  }

  /**
   * Every container (running or not) that carries {@code trynow.managed=true} and {@code
   * trynow.cluster=<cluster>}: both labels, so another installation's containers are never seen.
   */
  public List<ContainerInfo> listManaged(String cluster) {
    List<Container> all =
        call(
            "list " + cluster,
            () ->
                docker
                    .get()
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(Labels.MANAGED, "true", Labels.CLUSTER, cluster))
                    .exec());
    return all.stream()
        .map(c ->
            new ContainerInfo(
                c.getId(),
                c.getNames() == null || c.getNames().length == 0 ? null : c.getNames()[0],
                c.getLabels(),
                c.getState(),
                c.getCreated() == null ? null : Instant.ofEpochSecond(c.getCreated())))
        // the engine filtered already; this guards against a filter the engine ignored
        .filter(c -> c.ownedBy(cluster))
        .toList();
  }

  /** Whether the image is on the engine. */
  public boolean imagePresent(String image) {
    try {
      call("inspect image " + image, () -> docker.get().inspectImageCmd(image).exec());
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** Throws unless the engine answers. */
  public void ping() {
    call(
        "ping",
        () -> {
          docker.get().pingCmd().exec();
          return null;
        });
  }

  private CreateContainerCmd createCmd(ContainerSpec spec) {
    HostConfig host =
        HostConfig.newHostConfig()
            .withMemory(spec.memoryBytes())
            .withMemorySwap(spec.memoryBytes())
            .withNanoCPUs(spec.nanoCpus())
            .withPidsLimit(spec.pidsLimit())
            .withCapDrop(Capability.ALL)
            .withSecurityOpts(List.of("no-new-privileges"))
            .withLogConfig(
                new LogConfig(
                    LogConfig.LoggingType.JSON_FILE, Map.of("max-size", "1m", "max-file", "1")));
    spec.runtime().ifPresent(host::withRuntime);
    if (spec.hardening().readOnlyRootfs()) {
      host.withReadonlyRootfs(true)
          .withTmpFs(
              Map.of("/tmp", "rw,noexec,nosuid,nodev,size=" + spec.hardening().tmpfsMb() + "m"));
    }
    CreateContainerCmd cmd =
        docker
            .get()
            .createContainerCmd(spec.image())
            .withName(spec.name())
            .withLabels(spec.labels())
            .withEnv(
                spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    spec.hardening().user().ifPresent(cmd::withUser);
    if (spec.networkMode() == ContainerSpec.NetworkMode.HOST) {
      host.withNetworkMode("host");
    } else {
      ExposedPort port = ExposedPort.tcp(spec.containerPort());
      Ports bindings = new Ports();
      bindings.bind(port, Ports.Binding.bindIpAndPort(spec.publishHost(), spec.hostPort()));
      host.withNetworkMode("bridge").withPortBindings(bindings);
      cmd.withExposedPorts(port);
    }
    return cmd.withHostConfig(host);
  }

  private static void requireOurs(ContainerSpec spec, ContainerInfo c) {
    Map<String, String> l = c.labels();
    if (!"true".equals(l.get(Labels.MANAGED))) {
      throw new ForeignContainerException(spec.name(), "no " + Labels.MANAGED + " label");
    }
    if (!spec.cluster().equals(l.get(Labels.CLUSTER))) {
      throw new ForeignContainerException(
          spec.name(), Labels.CLUSTER + "=" + l.get(Labels.CLUSTER));
    }
    if (!spec.instanceId().equals(l.get(Labels.INSTANCE))) {
      throw new ForeignContainerException(
          spec.name(), Labels.INSTANCE + "=" + l.get(Labels.INSTANCE));
    }
  }

  /**
   * One engine call under the guard. 404/409/304 pass through for the caller to interpret; 400 is a
   * rejection; 5xx, I/O errors and timeouts mean the engine is unavailable.
   */
  private <T> T call(String what, Supplier<T> engineCall) {
    return guard.call(() -> mapped(what, engineCall));
  }

  private static <T> T mapped(String what, Supplier<T> engineCall) {
    try {
      return engineCall.get();
    } catch (NotFoundException | ConflictException | NotModifiedException e) {
      throw e;
    } catch (BadRequestException e) {
      throw new DockerRejectedException(what + ": " + e.getMessage(), e);
    } catch (DockerException e) {
      if (e.getHttpStatus() >= 500) {
        throw new DockerUnavailableException(what + ": " + e.getMessage(), e);
      }
      throw new DockerRejectedException(what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (hasIoCause(e)) {
        throw new DockerUnavailableException(what + ": " + rootMessage(e), e);
      }
      throw e;
    }
  }

  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof java.io.UncheckedIOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static Instant parseInstant(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
