package io.trynow.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import io.trynow.model.Ids;
import io.trynow.model.Labels;
import io.trynow.testsupport.DockerSocketProxy;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.SampleImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker adapter against the real engine. Every container carries this test's cluster label.
 */
@WithRealServers(RealServers.Kind.DOCKER)
class ContainersIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String cluster = "test-" + Ids.newInstanceId().substring(1, 9);
  private Containers containers;
  private DockerClient raw;
  private final List<String> foreign = new ArrayList<>();

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  private void setUp(DockerClient docker) {
    raw = docker;
    containers = new Containers(docker, EngineGuard.NONE);
  }

  @AfterEach
  void removeOurContainers() {
    if (containers != null) {
      containers.listManaged(cluster).forEach(c -> containers.remove(c.id()));
    }
    foreign.forEach(id -> raw.removeContainerCmd(id).withForce(true).exec());
  }

  private ContainerSpec spec(String image, int port) {
    return ContainerSpec.forInstance(
        Ids.newInstanceId(), "hello", FixedTemplate.of(image), port, cluster, "127.0.0.1");
  }

  @Test
  void createsALimitedLabelledContainerThatAnswersOnItsPort(DockerClient docker) {
    setUp(docker);
    int port = FreePorts.one();
    ContainerSpec spec = spec(SampleImage.IMAGE, port);

    Containers.Created created = containers.ensureCreated(spec);
    containers.start(created.id());

    assertThat(created.adopted()).isFalse();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status("http://127.0.0.1:" + port + "/healthz") == 200);
    InspectContainerResponse r = docker.inspectContainerCmd(spec.name()).exec();
    assertThat(r.getConfig().getLabels())
        .containsEntry(Labels.MANAGED, "true")
        .containsEntry(Labels.INSTANCE, spec.instanceId())
        .containsEntry(Labels.CLUSTER, cluster);
    assertThat(r.getHostConfig().getMemory()).isEqualTo(32L * 1024 * 1024);
    assertThat(r.getHostConfig().getNanoCPUs()).isEqualTo(500_000_000L);
    assertThat(r.getHostConfig().getPidsLimit()).isEqualTo(64L);
    assertThat(r.getHostConfig().getCapDrop()).containsExactly(Capability.ALL);
    assertThat(r.getHostConfig().getSecurityOpts()).contains("no-new-privileges");
    assertThat(r.getHostConfig().getNetworkMode()).isEqualTo("host");
    assertThat(r.getConfig().getEnv())
        .contains(
            "PORT=" + port, "TRYNOW_INSTANCE_ID=" + spec.instanceId(), "TRYNOW_TEMPLATE=hello");
    // hardening: read-only image filesystem, a small tmpfs for /tmp, a non-root user
    assertThat(r.getHostConfig().getReadonlyRootfs()).isTrue();
    assertThat(r.getHostConfig().getTmpFs()).containsKey("/tmp");
    assertThat(r.getHostConfig().getTmpFs().get("/tmp")).contains("size=16m", "noexec");
    assertThat(r.getConfig().getUser()).isEqualTo("65534:65534");

    assertThat(containers.remove(spec.name())).isTrue();
    assertThat(containers.remove(spec.name())).as("not found is done").isFalse();
    assertThat(containers.inspect(spec.name())).isEmpty();
  }

  /** Ownership by name and labels: concurrent creates of one instance give one container. */
  @Test
  void concurrentCreatesOfOneInstanceAdoptOneContainer(DockerClient docker) throws Exception {
    setUp(docker);
    ContainerSpec spec = spec(SampleImage.IMAGE, FreePorts.one());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Containers.Created>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> containers.ensureCreated(spec));
      }
      Set<String> ids = new HashSet<>();
      int fresh = 0;
      for (Future<Containers.Created> f : pool.invokeAll(calls)) {
        ids.add(f.get().id());
        fresh += f.get().adopted() ? 0 : 1;
      }
      assertThat(ids).hasSize(1);
      assertThat(fresh).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(containers.listManaged(cluster)).hasSize(1);
  }

  @Test
  void anExitedContainerOfOursIsReplacedNotAdopted(DockerClient docker) {
    setUp(docker);
    ContainerSpec spec = spec(SampleImage.IMAGE, FreePorts.one());
    String first = containers.ensureCreated(spec).id();
    containers.start(first);
    docker.killContainerCmd(first).exec();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !containers.inspect(first).orElseThrow().running());

    Containers.Created second = containers.ensureCreated(spec);

    assertThat(second.id()).isNotEqualTo(first);
    assertThat(second.adopted()).isFalse();
    assertThat(containers.listManaged(cluster))
        .extracting(ContainerInfo::id)
        .containsExactly(second.id());
  }

  @Test
  void aForeignContainerHoldingOurNameIsNeverTouched(DockerClient docker) {
    setUp(docker);
    ContainerSpec spec = spec(SampleImage.IMAGE, FreePorts.one());
    String foreignId =
        docker
            .createContainerCmd(SampleImage.IMAGE)
            .withName(spec.name())
            .withLabels(Map.of(Labels.MANAGED, "true", Labels.CLUSTER, "someone-else"))
            .exec()
            .getId();
    foreign.add(foreignId);

    assertThatThrownBy(() -> containers.ensureCreated(spec))
        .isInstanceOf(ForeignContainerException.class)
        .hasMessageContaining("someone-else");
    assertThat(containers.inspect(foreignId)).isPresent();
    assertThat(containers.listManaged(cluster)).isEmpty();
  }

  @Test
  void aMissingImageIsAnErrorNamingTheImageAndNothingIsPulled(DockerClient docker) {
    setUp(docker);
    String missing = "trynow/does-not-exist:" + cluster;
    ContainerSpec spec = spec(missing, FreePorts.one());

    assertThatThrownBy(() -> containers.ensureCreated(spec))
        .isInstanceOf(ImageMissingException.class)
        .hasMessageContaining(missing);
    assertThat(containers.imagePresent(missing)).isFalse();
    assertThat(containers.imagePresent(SampleImage.IMAGE)).isTrue();
    assertThat(containers.listManaged(cluster)).isEmpty();
  }

  @Test
  void listingSeesOnlyThisClustersManagedContainers(DockerClient docker) {
    setUp(docker);
    ContainerSpec ours = spec(SampleImage.IMAGE, FreePorts.one());
    containers.ensureCreated(ours);
    foreign.add(
        docker
            .createContainerCmd(SampleImage.IMAGE)
            .withName("trynow-" + Ids.newInstanceId())
            .withLabels(Map.of(Labels.MANAGED, "true", Labels.CLUSTER, cluster + "-other"))
            .exec()
            .getId());
    foreign.add(
        docker
            .createContainerCmd(SampleImage.IMAGE)
            .withName("trynow-" + Ids.newInstanceId())
            .withLabels(Map.of(Labels.CLUSTER, cluster))
            .exec()
            .getId());

    List<ContainerInfo> listed = containers.listManaged(cluster);

    assertThat(listed).extracting(ContainerInfo::name).containsExactly(ours.name());
    assertThat(listed.get(0).instanceId()).contains(ours.instanceId());
    assertThat(listed.get(0).fresh()).isTrue();
    assertThat(listed.get(0).createdAt()).isNotNull();
  }

  @Test
  void anEngineThatDoesNotAnswerIsUnavailableNotRejected() throws Exception {
    DockerSettings s = DockerSettings.local().withHost("tcp://127.0.0.1:" + FreePorts.one());
    try (DockerClient dead = DockerClients.create(s)) {
      Containers c = new Containers(dead, EngineGuard.NONE);
      assertThatThrownBy(c::ping).isInstanceOf(DockerUnavailableException.class);
      assertThatThrownBy(() -> c.ensureCreated(spec(SampleImage.IMAGE, 20000)))
          .isInstanceOf(DockerUnavailableException.class);
    }
  }

  /** A Docker daemon restart: the adapter reports an outage and works again afterwards. */
  @Test
  void anEngineOutageIsUnavailableAndTheSameClientRecovers() throws Exception {
    try (DockerSocketProxy proxy = DockerSocketProxy.start();
        DockerClient viaProxy =
            DockerClients.create(DockerSettings.local().withHost(proxy.dockerHost()))) {
      Containers c = new Containers(viaProxy, EngineGuard.NONE);
      c.ping();
      proxy.cut();
      assertThatThrownBy(c::ping).isInstanceOf(DockerUnavailableException.class);
      assertThatThrownBy(() -> c.listManaged(cluster))
          .isInstanceOf(DockerUnavailableException.class);
      proxy.restore();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(c::ping);
      assertThat(c.listManaged(cluster)).isEmpty();
    }
  }

  @Test
  void settingsRejectBadValuesNamingTheKey() {
    assertThatThrownBy(() -> DockerSettings.local().withHost("http://x"))
        .hasMessageContaining("trynow.docker.host");
  }

  private static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
