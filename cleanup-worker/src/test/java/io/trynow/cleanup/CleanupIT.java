package io.trynow.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reaper and the teardown consumer against real NATS, Valkey and dockerd. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class CleanupIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject Store store;
  @Inject Containers containers;
  @Inject Publisher publisher;
  @Inject NatsClient nats;
  @Inject TemplatesConfig templates;
  @Inject DeadLetters deadLetters;

  private CleanupFixture fx;

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
  }

  /**
   * An acquire and its expiry are one transition: expiry needs no call from anyone — container,
   * port and state all go.
   */
  @Test
  void anExpiredInstanceIsReapedWithoutAnyCall() {
    Instance inst = fx.assigned(CleanupFixture.newTemplate(), Duration.ofSeconds(1));
    assertThat(fx.container(inst.id())).isPresent();
    long usedBefore = fx.usedPorts();

    await().atMost(WAIT).until(() -> fx.instance(inst.id()).state() == InstanceState.TERMINATED);

    assertThat(fx.container(inst.id())).isEmpty();
    assertThat(FreePorts.isFree(inst.port())).isTrue();
    assertThat(fx.usedPorts()).isEqualTo(usedBefore - 1);
    assertThat(fx.instance(inst.id()).endedAt()).isNotNull(); // the tombstone
    await().atMost(WAIT).until(() -> fx.event(inst.id(), "terminating").isPresent());
    await().atMost(WAIT).until(() -> fx.event(inst.id(), "terminated").isPresent());
    assertThat(fx.event(inst.id(), "terminated").orElseThrow().state()).isEqualTo("terminated");
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /** The gateway's DELETE path: release, then a cleanup request; repeats change nothing. */
  @Test
  void aReleasedInstanceIsTornDownOnceHoweverOftenTheRequestArrives() {
    Instance inst = fx.assigned(CleanupFixture.newTemplate(), Duration.ofMinutes(10));
    assertThat(store.lifecycle().release(inst.id(), CleanupFixture.TOKEN))
        .isInstanceOf(Changed.class);
    long dlqBefore = deadLetters.count();

    fx.publishCleanup(inst.id(), "cleanup:" + inst.id());
    fx.publishCleanup(inst.id(), "again-1:" + inst.id());

    await().atMost(WAIT).until(() -> fx.instance(inst.id()).state() == InstanceState.TERMINATED);
    long version = fx.instance(inst.id()).version();
    fx.publishCleanup(inst.id(), "again-2:" + inst.id());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(fx.instance(inst.id()).version()).isEqualTo(version);
          assertThat(fx.container(inst.id())).isEmpty();
        });
    assertThat(deadLetters.count()).isEqualTo(dlqBefore);
    await().atMost(WAIT).until(() -> fx.event(inst.id(), "terminated").isPresent());
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /** A cleanup request for a live, unreleased instance does not tear it down. */
  @Test
  void aCleanupRequestForALiveAssignedInstanceIsIgnored() {
    Instance inst = fx.assigned(CleanupFixture.newTemplate(), Duration.ofMinutes(10));

    fx.publishCleanup(inst.id(), "cleanup:" + inst.id());

    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(fx.instance(inst.id()).state()).isEqualTo(InstanceState.ASSIGNED);
          assertThat(fx.container(inst.id()).orElseThrow().running()).isTrue();
        });
  }
}
