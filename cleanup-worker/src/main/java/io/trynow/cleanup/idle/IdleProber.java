package io.trynow.cleanup.idle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.cleanup.teardown.Teardown;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.state.AdminResult;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * Keeps idle instances healthy (issue 14): on a timer, every ready instance is re-probed — one GET
 * of its health path, all of them at once up to a bound (cheap: a few bytes on loopback per
 * instance and round) — and one that fails is recycled ({@code recycle_ready}: out of the ready
 * list, so it is never handed out) and torn down; the pool refills on its {@code terminated} event.
 * A probe that only times out is confirmed with the engine first (a loaded machine is not a dead
 * instance). A ready instance idle longer than its template's {@code max-idle} is recycled the same
 * way, so images and settings roll.
 */
@ApplicationScoped
public class IdleProber {

  private static final Logger LOG = Logger.getLogger(IdleProber.class);

  /** {@code trynow_cleanup_idle_recycled_total{template,reason}}: reason probe | idle. */
  public static final String RECYCLED = "trynow.cleanup.idle.recycled";

  private final Store store;
  private final DockerHosts hosts;
  private final Teardown teardown;
  private final Endpoints endpoints;
  private final TemplatesConfig templates;
  private final CleanupConfig.Idle config;
  private final MeterRegistry meters;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  IdleProber(
      Store store,
      DockerHosts hosts,
      Teardown teardown,
      Endpoints endpoints,
      TemplatesConfig templates,
      CleanupConfig config,
      MeterRegistry meters) {
    this.store = store;
    this.hosts = hosts;
    this.teardown = teardown;
    this.endpoints = endpoints;
    this.templates = templates;
    this.config = config.idle();
    this.meters = meters;
  }

  public boolean enabled() {
    return config.enabled();
  }

  public Duration interval() {
    return config.interval();
  }

  /** One round over every ready instance; returns how many were recycled. */
  public int probeOnce() {
    Instant now = Instant.now();
    List<Instance> ready = store.instances(InstanceState.READY);
    List<Instance> toProbe = new ArrayList<>();
    int recycled = 0;
    for (Instance i : ready) {
      TemplatesConfig.Template t = templates.templates().get(i.template());
      if (t == null) {
        continue; // a template this replica does not know: left to the one that does
      }
      Instant since = i.readyAt() != null ? i.readyAt() : i.createdAt();
      if (since != null && since.plus(t.maxIdle()).isBefore(now)) {
        recycled += recycle(i, "idle longer than " + t.maxIdle(), "idle");
      } else {
        toProbe.add(i);
      }
    }
    Semaphore slots = new Semaphore(config.parallelism());
    List<CompletableFuture<Void>> probes = new ArrayList<>();
    List<Instance> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> reasons = java.util.Collections.synchronizedList(new ArrayList<>());
    for (Instance i : toProbe) {
      TemplatesConfig.Template t = templates.templates().get(i.template());
      slots.acquireUninterruptibly();
      HttpRequest req =
          HttpRequest.newBuilder(endpoints.instanceUri(i.host(), i.port(), t.healthPath()))
              .timeout(config.probeTimeout())
              .GET()
              .build();
      probes.add(
          http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
              .handle((r, e) -> {
                slots.release();
                Optional<String> why = verdict(i, r == null ? -1 : r.statusCode(), e);
                why.ifPresent(w -> {
                  failed.add(i);
                  reasons.add(w);
                });
                return null;
              }));
    }
    CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).join();
    for (int k = 0; k < failed.size(); k++) {
      recycled += recycle(failed.get(k), reasons.get(k), "probe");
    }
    if (recycled > 0) {
      LOG.infof("%d idle instance(s) recycled of %d ready", recycled, ready.size());
    }
    return recycled;
  }

  /** Empty when the instance is healthy (or cannot be judged now), else why it is not. */
  private Optional<String> verdict(Instance i, int status, Throwable e) {
    if (e == null) {
      return status / 100 == 2
          ? Optional.empty()
          : Optional.of("idle health probe answered HTTP " + status);
    }
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    if (cause instanceof HttpTimeoutException) {
      // slow, not necessarily dead: only the engine's word recycles it
      try {
        Containers engine = hosts.on(i.host()).orElse(hosts.defaultHost());
        Optional<ContainerInfo> c =
            i.containerName() == null ? Optional.empty() : engine.inspect(i.containerName());
        if (c.isPresent() && c.get().running()) {
          return Optional.empty();
        }
        return Optional.of("idle health probe timed out and the container is not running");
      } catch (DockerUnavailableException ex) {
        return Optional.empty();
      }
    }
    if (cause instanceof IOException) {
      return Optional.of("idle health probe failed: " + cause.getClass().getSimpleName());
    }
    return Optional.empty();
  }

  private int recycle(Instance i, String reason, String tag) {
    AdminResult r = store.lifecycle().recycleReady(i.id(), reason);
    if (!(r instanceof Changed c) || c.repeat()) {
      return 0; // handed out (or ended) since it was read: left alone
    }
    LOG.warnf("instance %s recycled: %s", i.id(), reason);
    Counter.builder(RECYCLED)
        .description("Idle ready instances recycled")
        .tag("template", i.template())
        .tag("reason", tag)
        .register(meters)
        .increment();
    teardown.teardown(i.id(), "recycled");
    return 1;
  }
}
