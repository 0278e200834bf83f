package io.trynow.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.Labels;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.EngineGuard;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.messaging.Streams;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.DockerEngine;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.ValkeyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Provisioning and reaping, end to end, against real NATS, Valkey and dockerd with the real
 * provisioner-worker and cleanup-worker running as processes (built first when missing or older
 * than their sources):
 *
 * <ol>
 *   <li>raw floor: {@code docker create + start} of the sample image (same spec, same client) and
 *       its first healthy HTTP answer, vs. trynow: provision request published → {@code
 *       instance.<id>.started} received (claim, port, create, start, health, mark_started, event);
 *   <li>reap lag: expiry → container destroyed (docker's own destroy event time), one at a time;
 *   <li>200 simultaneous expiries: time until the last container is gone, vs. the raw floor of
 *       force-removing as many containers through the same adapter (the same removal bulkhead).
 * </ol>
 *
 * <p>{@code ./trynow bench provision [n=20] [mass=200]}
 */
public final class ProvisionBench {

  private static final String TEMPLATE = "hello";
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private final String cluster = "bench-" + Ids.newInstanceId().substring(1, 9);
  private final Map<String, CompletableFuture<Long>> started = new ConcurrentHashMap<>();
  private final Map<String, Long> destroyedAtMs = new ConcurrentHashMap<>();
  private Store store;
  private Publisher publisher;
  private Containers containers;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int mass = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path root = SampleImage.RepoRoot.find();
    WorkerProcess.ensureBuilt(root);
    SampleImage.ensureBuilt();
    new ProvisionBench().run(root, n, mass);
  }

  private void run(Path root, int n, int mass) throws Exception {
    int warm = 3;
    int firstPort = FreePorts.range(n + warm + mass + 20);
    int lastPort = firstPort + n + warm + mass + 19;
    int rawPorts = FreePorts.range(mass + 1);
    Path work = Files.createTempDirectory("trynow-provision-bench");
    DockerClient docker = DockerEngine.client();
    containers = new Containers(docker, EngineGuard.NONE);
    try (NatsServer nats = (NatsServer) new NatsServer().start();
        ValkeyServer valkey = (ValkeyServer) new ValkeyServer().start();
        Connection nc = Nats.connect(nats.url());
        ResultCallback.Adapter<Event> events = watchDestroys(docker)) {
      new Streams(nc, Streams.Options.defaults()).declareAll();
      publisher = new Publisher(nc, Publisher.Options.defaults(), new SimpleMeterRegistry());
      store = Store.connect(valkey.url(), cluster);
      store.capacity().initPorts(firstPort, lastPort);
      Dispatcher d = nc.createDispatcher(m -> onStarted(m.getData()));
      d.subscribe(Subjects.instanceEvents(InstanceEventKind.STARTED));
      Map<String, String> env =
          Map.of(
              "TRYNOW_NATS_URL",
              nats.url(),
              "TRYNOW_VALKEY_URL",
              valkey.url(),
              "TRYNOW_VALKEY_PREFIX",
              cluster,
              "TRYNOW_PORTS_FIRST",
              String.valueOf(firstPort),
              "TRYNOW_PORTS_LAST",
              String.valueOf(lastPort),
              SampleImage.CONFIG_LOCATIONS,
              SampleImage.templateFile().toString());
      try (WorkerProcess prov = WorkerProcess.start(root, "provisioner-worker", env, work);
          WorkerProcess clean = WorkerProcess.start(root, "cleanup-worker", env, work)) {
        System.out.printf(
            "provision bench: %s, n=%d (+%d warm-up), mass=%d, cluster label %s, logs in %s%n",
            SampleImage.IMAGE, n, warm, mass, cluster, work);
        Samples raw = rawProvision(n, warm, rawPorts);
        Samples trynow = new Samples("trynow request → started");
        List<Instance> provisioned = provision(n, warm, trynow);
        raw.stats.print(System.out);
        trynow.stats.print(System.out);
        System.out.printf(
            "  median: raw %.1f ms, trynow %.1f ms = %.2fx raw (target <= 1.25x)%n",
            raw.medianMillis(),
            trynow.medianMillis(),
            trynow.medianMillis() / Math.max(1e-9, raw.medianMillis()));
        reapLag(provisioned, warm).print(System.out);
        massExpiry(mass, rawPorts);
      }
    } finally {
      containers.listManaged(cluster).forEach(c -> containers.remove(c.id()));
      if (store != null) {
        store.close();
      }
    }
  }

  // ---- 1. provision ---------------------------------------------------------------------------

  private Samples rawProvision(int n, int warm, int port) throws Exception {
    Samples s = new Samples("raw docker create+start+healthy (floor)");
    for (int i = 0; i < n + warm; i++) {
      ContainerSpec spec = spec(Ids.newInstanceId(), port);
      long t0 = System.nanoTime();
      containers.start(containers.ensureCreated(spec).id());
      awaitHealthy(port);
      if (i >= warm) {
        s.record(System.nanoTime() - t0);
      }
      containers.remove(spec.name());
    }
    return s;
  }

  private List<Instance> provision(int n, int warm, Samples s) throws Exception {
    List<Instance> out = new ArrayList<>();
    for (int i = 0; i < n + warm; i++) {
      String id = reserve();
      CompletableFuture<Long> done = new CompletableFuture<>();
      started.put(id, done);
      long t0 = System.nanoTime();
      publisher.publish(new ProvisionRequest(id, TEMPLATE, null));
      long t1 = done.get(60, TimeUnit.SECONDS);
      if (i >= warm) {
        s.record(t1 - t0);
      }
      out.add(store.instance(id).orElseThrow());
    }
    return out;
  }

  private void onStarted(byte[] data) {
    long now = System.nanoTime();
    InstanceEvent ev = Json.read(data, InstanceEvent.class);
    CompletableFuture<Long> f = started.get(ev.instanceId());
    if (f != null) {
      f.complete(now);
    }
  }

  // ---- 2. reap lag ----------------------------------------------------------------------------

  /**
   * Each instance expires on its own (250 ms apart); lag = expiry → docker's destroy event. The
   * first {@code warm} are warm-up (a fresh worker's first teardowns) and not recorded.
   */
  private Stats reapLag(List<Instance> instances, int warm) throws Exception {
    Stats s = new Stats("reap lag: expiry → container gone");
    Map<String, Long> expiresAt = new ConcurrentHashMap<>();
    long base = System.currentTimeMillis() + 1000;
    for (int i = 0; i < instances.size(); i++) {
      Instance inst = instances.get(i);
      store.provisioning().markReady(inst.id(), null);
      long ttl = base + i * 250L - System.currentTimeMillis();
      expiresAt.put(inst.id(), assign(Duration.ofMillis(ttl)).expiresAt().toEpochMilli());
    }
    awaitDestroyed(expiresAt.keySet(), Duration.ofSeconds(60));
    for (Instance inst : instances.subList(warm, instances.size())) {
      long gone = destroyedAtMs.get(Labels.containerName(inst.id()));
      s.record(TimeUnit.MILLISECONDS.toNanos(gone - expiresAt.get(inst.id())));
    }
    return s;
  }

  // ---- 3. mass expiry -------------------------------------------------------------------------

  private void massExpiry(int mass, int rawFirstPort) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      // floor: force-remove as many running containers through the same adapter, i.e. with the
      // workers' removal bulkhead (trynow.docker.max-parallel-removals)
      List<String> raw =
          parallel(
              pool,
              mass,
              i -> {
                ContainerSpec spec = spec(Ids.newInstanceId(), rawFirstPort + i);
                String id = containers.ensureCreated(spec).id();
                containers.start(id);
                return id;
              });
      long r0 = System.nanoTime();
      parallel(pool, mass, i -> containers.remove(raw.get(i)));
      long rawMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r0);

      List<String> ids = parallel(pool, mass, i -> readyWithContainer());
      long expiry = System.currentTimeMillis() + 2000;
      Stats lag = new Stats("mass expiry lag, " + mass + " at once");
      for (String id : ids) {
        Instance a = assign(Duration.ofMillis(expiry - System.currentTimeMillis()));
        if (a.expiresAt().toEpochMilli() > expiry + 50) {
          throw new IllegalStateException("assigning took too long to expire all at once");
        }
      }
      awaitDestroyed(ids, Duration.ofSeconds(120));
      long last = 0;
      for (String id : ids) {
        long at = destroyedAtMs.get(Labels.containerName(id));
        last = Math.max(last, at);
        lag.record(TimeUnit.MILLISECONDS.toNanos(Math.max(0, at - expiry)));
      }
      lag.print(System.out);
      System.out.printf(
          "  %d simultaneous expiries cleared in %d ms after expiry"
              + " (floor: %d ms to force-remove %d containers, %d at a time)%n",
          mass, last - expiry, rawMs, mass, Containers.DEFAULT_PARALLEL_REMOVALS);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A ready instance with a running container, made directly (not the figure measured here). */
  private String readyWithContainer() {
    String id = reserve();
    long fence =
        ((ClaimResult.Claimed) store.claims().claimProvision(id, Duration.ofMinutes(5))).fence();
    int port = ((PortResult.Allocated) store.provisioning().allocatePort(id, fence)).port();
    ContainerSpec spec = spec(id, port);
    containers.start(containers.ensureCreated(spec).id());
    store.provisioning().markStarted(id, fence, spec.name());
    store.provisioning().markReady(id, null);
    return id;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private String reserve() {
    return store
        .sizing()
        .reserveProvision(
            new ReserveArgs(TEMPLATE, 100_000, 100_000, 100_000, List.of(Ids.newInstanceId())))
        .created()
        .getFirst();
  }

  private Instance assign(Duration ttl) {
    AcquireResult r =
        store
            .requests()
            .acquire(
                new AcquireArgs(
                    Ids.newRequestId(),
                    TEMPLATE,
                    TOKEN,
                    "10.0.0.1",
                    ttl,
                    Duration.ofHours(1),
                    10,
                    0));
    return ((AcquireResult.Assigned) r).instance();
  }

  /** The provisioner's spec for the hello template (32 MiB, 0.5 CPU, host network). */
  private ContainerSpec spec(String id, int port) {
    return new ContainerSpec(
        Labels.containerName(id),
        SampleImage.IMAGE,
        Map.of(
            Labels.MANAGED, "true",
            Labels.INSTANCE, id,
            Labels.TEMPLATE, TEMPLATE,
            Labels.CLUSTER, cluster),
        Map.of("PORT", String.valueOf(port)),
        32L << 20,
        500_000_000L,
        128,
        ContainerSpec.NetworkMode.HOST,
        port,
        8080,
        "127.0.0.1",
        Optional.empty(),
        ContainerSpec.Hardening.NONE);
  }

  private static void awaitHealthy(int port) {
    URI uri = URI.create("http://127.0.0.1:" + port + SampleImage.HEALTH_PATH);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException | InterruptedException e) {
        // not listening yet
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    throw new IllegalStateException("raw container never answered on " + port);
  }

  private ResultCallback.Adapter<Event> watchDestroys(DockerClient docker) {
    return docker
        .eventsCmd()
        .withLabelFilter(Map.of(Labels.CLUSTER, cluster))
        .withEventFilter("destroy")
        .exec(
            new ResultCallback.Adapter<>() {
              @Override
              public void onNext(Event e) {
                String name = e.getActor().getAttributes().get("name");
                long nanos =
                    e.getTimeNano() != null ? e.getTimeNano() : e.getTime() * 1_000_000_000L;
                destroyedAtMs.put(name, nanos / 1_000_000L);
              }
            });
  }

  private void awaitDestroyed(java.util.Collection<String> ids, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    for (String id : ids) {
      while (!destroyedAtMs.containsKey(Labels.containerName(id))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("container of " + id + " not gone within " + max);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  private interface Indexed<T> {
    T apply(int i) throws Exception;
  }

  private static <T> List<T> parallel(ExecutorService pool, int n, Indexed<T> task)
      throws Exception {
    List<Future<T>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      fs.add(pool.submit(() -> task.apply(k)));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : fs) {
      out.add(f.get());
    }
    return out;
  }
}
