package io.trynow.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.testsupport.DockerEngine;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan sweeper repairs what no event will (lost instances, leaked ports, demos without an
 * expiry, containers left by a failure before any record), and never touches another installation's
 * containers.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class OrphanSweeperIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject Store store;
  @Inject Containers containers;
  @Inject Publisher publisher;
  @Inject NatsClient nats;
  @Inject TemplatesConfig templates;
  @Inject RedisDataSource redis;

  private CleanupFixture fx;
  private final List<String> foreign = new ArrayList<>();

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @BeforeEach
  void fixture() {
    fx = new CleanupFixture(store, containers, publisher, nats, templates);
  }

  @AfterEach
  void cleanUp() {
    fx.removeAllContainers();
    foreign.forEach(id -> DockerEngine.client().removeContainerCmd(id).withForce(true).exec());
  }

  @Test
  void anOrphanOfOursIsRemovedAndAnotherClustersContainerIsNeverTouched() {
    DockerClient docker = DockerEngine.client();
    String ours =
        docker
            .createContainerCmd(SampleImage.IMAGE)
            .withName("trynow-" + Ids.newInstanceId())
            .withLabels(
                Map.of(
                    Labels.MANAGED, "true",
                    Labels.CLUSTER, RealServersResource.prefix(),
                    Labels.INSTANCE, Ids.newInstanceId()))
            .exec()
            .getId();
    String theirs =
        docker
            .createContainerCmd(SampleImage.IMAGE)
            .withName("trynow-" + Ids.newInstanceId())
            .withLabels(
                Map.of(
                    Labels.MANAGED,
                    "true",
                    Labels.CLUSTER,
                    RealServersResource.prefix() + "-other",
                    Labels.INSTANCE,
                    Ids.newInstanceId()))
            .exec()
            .getId();
    foreign.add(theirs);

    await().atMost(WAIT).until(() -> containers.inspect(ours).isEmpty());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(() -> containers.inspect(theirs).isPresent());
  }

  @Test
  void aRequestedRecordPastItsDeadlineIsFailed() {
    String id = fx.requested(CleanupFixture.newTemplate());

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.FAILED);
    assertThat(fx.instance(id).lastError()).contains("requested");
    await().atMost(WAIT).until(() -> fx.event(id, "failed").isPresent());
  }

  /** Cleanup after an early failure: a worker died mid-provisioning; nothing leaks. */
  @Test
  void aProvisioningRecordWhoseClaimLapsedLosesItsContainerAndPort() {
    long usedBefore = fx.usedPorts();
    Instance inst = fx.provisioning(CleanupFixture.newTemplate(), Duration.ofMillis(1));
    assertThat(fx.container(inst.id())).isPresent();

    await().atMost(WAIT).until(() -> fx.instance(inst.id()).state() == InstanceState.FAILED);

    assertThat(fx.container(inst.id())).isEmpty();
    assertThat(fx.usedPorts()).isEqualTo(usedBefore);
  }

  @Test
  void aStartedRecordThatNeverBecameReadyIsFailedAndCleared() {
    Instance p = fx.provisioning(CleanupFixture.newTemplate(), Duration.ofSeconds(30));
    assertThat(store.provisioning().markStarted(p.id(), p.fence(), "trynow-" + p.id()))
        .isInstanceOf(Changed.class);

    await().atMost(WAIT).until(() -> fx.instance(p.id()).state() == InstanceState.FAILED);
    assertThat(fx.container(p.id())).isEmpty();
  }

  /** An assigned visitor whose container died is told (failed event), and the record is freed. */
  @Test
  void anAssignedInstanceWhoseContainerDiedIsFailedAndAnnounced() {
    Instance inst = fx.assigned(CleanupFixture.newTemplate(), Duration.ofMinutes(10));
    DockerEngine.client().killContainerCmd(fx.container(inst.id()).orElseThrow().id()).exec();

    await().atMost(WAIT).until(() -> fx.instance(inst.id()).state() == InstanceState.FAILED);
    await().atMost(WAIT).until(() -> fx.event(inst.id(), "failed").isPresent());
    assertThat(fx.event(inst.id(), "failed").orElseThrow().requestId()).isEqualTo(inst.requestId());
    await().atMost(WAIT).until(() -> fx.container(inst.id()).isEmpty());
  }

  @Test
  void aReadyInstanceWhoseContainerVanishedIsFailed() {
    Instance p = fx.provisioning(CleanupFixture.newTemplate(), Duration.ofSeconds(30));
    store.provisioning().markStarted(p.id(), p.fence(), "trynow-" + p.id());
    store.provisioning().markReady(p.id(), null);
    containers.remove("trynow-" + p.id());

    await().atMost(WAIT).until(() -> fx.instance(p.id()).state() == InstanceState.FAILED);
    // the sweeper may see the container mid-removal (listed: "removing", or "dead" if that failed)
    // or gone
    assertThat(fx.instance(p.id()).lastError()).matches("container (gone|removing|dead)");
  }

  /** A release whose cleanup request was lost is still torn down. */
  @Test
  void aTerminatingInstanceNobodyTearsDownIsTornDownBySweeper() {
    Instance inst = fx.assigned(CleanupFixture.newTemplate(), Duration.ofMinutes(10));
    store.lifecycle().release(inst.id(), CleanupFixture.TOKEN); // no cleanup request published

    await().atMost(WAIT).until(() -> fx.instance(inst.id()).state() == InstanceState.TERMINATED);
    assertThat(fx.container(inst.id())).isEmpty();
  }

  /** No port leaks: a port recorded as used by nobody alive goes back to the free set. */
  @Test
  void aLeakedPortIsFreed() {
    String base = "{" + store.prefix() + "}:";
    int port = CleanupFixture.last();
    redis.execute("SREM", base + "ports:free", String.valueOf(port));
    redis.execute("HSET", base + "ports:used", String.valueOf(port), Ids.newInstanceId());

    await()
        .atMost(WAIT)
        .until(() ->
            redis.execute("SISMEMBER", base + "ports:free", String.valueOf(port)).toInteger() == 1);
    assertThat(redis.execute("HEXISTS", base + "ports:used", String.valueOf(port)).toInteger())
        .isZero();
    await().atMost(WAIT).untilAsserted(() -> assertThat(ConsistencyChecker.check(store)).isEmpty());
  }
}
