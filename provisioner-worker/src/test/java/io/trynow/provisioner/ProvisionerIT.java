package io.trynow.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.model.Subjects;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.DeadLetter;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.StaleFence;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.provisioner.config.PortsConfig;
import io.trynow.provisioner.provision.SlotRefill;
import io.trynow.testsupport.DockerEngine;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** provisioner-worker against real NATS, Valkey and dockerd. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@WithTestResource(LateImageResource.class)
class ProvisionerIT {

  private static final Duration WAIT = Duration.ofSeconds(45);

  @Inject Store store;
  @Inject Publisher publisher;
  @Inject Containers containers;
  @Inject NatsClient nats;
  @Inject DeadLetters deadLetters;
  @Inject TemplatesConfig templates;
  @Inject PortsConfig ports;

  private ProvisionFixture fx;

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @BeforeEach
  void fixture() {
    fx = new ProvisionFixture(store, publisher, containers, nats);
  }

  @AfterEach
  void cleanUp() {
    fx.removeAllContainers();
  }

  @Test
  void aProvisionRequestBecomesAHealthyStartedContainerAndAnEvent() {
    String id = fx.requested("hello");

    fx.publish(id, "hello", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    Instance inst = fx.instance(id);
    assertThat(inst.containerName()).isEqualTo(Labels.containerName(id));
    assertThat(ProvisionFixture.httpStatus(inst.port(), "/healthz")).isEqualTo(200);
    List<ContainerInfo> mine = fx.containersOf(id);
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).running()).isTrue();
    assertThat(mine.get(0).labels())
        .containsEntry(Labels.TEMPLATE, "hello")
        .containsEntry(Labels.CLUSTER, RealServersResource.prefix());
    await().atMost(WAIT).until(() -> fx.event(id, "started").isPresent());
    InstanceEvent ev = fx.event(id, "started").orElseThrow();
    assertThat(ev.state()).isEqualTo("started");
    assertThat(ev.version()).isEqualTo(inst.version());
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void aProvisionThatFreesItsSlotReservesAndPublishesTheNextOne() {
    // "refill": keep 2 ready, 1 in the engine at a time. Unknown to this provisioner, so the
    // request published for it ends with its record failed: proof that the message went out.
    TemplatesConfig.Template tpl =
        template("refill", Map.of("min-ready", "2", "max-in-flight", "1"));
    SlotRefill refill = new SlotRefill(store, publisher, new SimpleMeterRegistry());
    String first = fx.requested("refill");

    ClaimResult.Claimed c =
        (ClaimResult.Claimed) store.claims().claimProvision(first, Duration.ofMinutes(1));
    store.provisioning().allocatePort(first, c.fence());
    store.provisioning().markStarted(first, c.fence(), "trynow-" + first);
    List<String> next = refill.afterStarted("refill", tpl);

    assertThat(next).as("the freed slot's successor").hasSize(1);
    await().atMost(WAIT).until(() -> fx.instance(next.getFirst()).state() == InstanceState.FAILED);
    assertThat(fx.instance(next.getFirst()).template()).isEqualTo("refill");
  }

  @Test
  void theRefillReservesOnePreparedProvisionBehindEachEngineSlot() {
    // "ahead": 2 in the engine at a time (EngineSlots), a crowd's worth wanted. One provision in
    // flight: the refill reserves up to 2 x max-in-flight, so the provisioner claims, places and
    // gives a port to the next ones while the engine's slots are busy (before: up to
    // max-in-flight, and that bookkeeping held an engine slot).
    TemplatesConfig.Template tpl =
        template("ahead", Map.of("min-ready", "10", "max-in-flight", "2"));
    SlotRefill refill = new SlotRefill(store, publisher, new SimpleMeterRegistry());
    fx.requested("ahead");

    List<String> next = refill.afterStarted("ahead", tpl);

    assertThat(next).as("in flight: 1 + 3 = 2 x max-in-flight").hasSize(3);
    for (String id : next) {
      await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.FAILED);
    }
  }

  private static TemplatesConfig.Template template(String name, Map<String, String> settings) {
    Map<String, String> values = new HashMap<>();
    values.put("trynow.templates." + name + ".image", "trynow/sample-hello:1");
    settings.forEach((k, v) -> values.put("trynow.templates." + name + "." + k, v));
    return new SmallRyeConfigBuilder()
        .withMapping(TemplatesConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new MapBackedConfigSource("test", values) {})
        .build()
        .getConfigMapping(TemplatesConfig.class)
        .templates()
        .get(name);
  }

  /** Every handler is idempotent: retries must not duplicate. */
  @Test
  void theSameRequestDeliveredTwiceAndReplayedMakesOneContainer() {
    String id = fx.requested("hello");

    // two copies at once (distinct msg ids defeat de-duplication, as a replay does)
    fx.publish(id, "hello", id);
    fx.publish(id, "hello", "replay-1:" + id);
    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    String containerId = fx.containersOf(id).get(0).id();
    // and once more after it started
    fx.publish(id, "hello", "replay-2:" + id);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(fx.containersOf(id))
              .extracting(ContainerInfo::id)
              .containsExactly(containerId);
          assertThat(fx.instance(id).state()).isEqualTo(InstanceState.STARTED);
        });
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /** No port leaks on failure, and images are never pulled (the error names the image). */
  @Test
  void aMissingImageFailsTheInstanceFreesItsPortAndDeadLettersOnce() {
    long before = deadLettersFor("missing");
    long freeBefore = freePorts();
    String id = fx.requested("missing");

    fx.publish(id, "missing", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.FAILED);
    assertThat(fx.instance(id).lastError()).contains("trynow/does-not-exist:1");
    assertThat(fx.containersOf(id)).isEmpty();
    assertThat(freePorts()).isEqualTo(freeBefore);
    await().atMost(WAIT).until(() -> deadLettersFor("missing") == before + 1);
    await().atMost(WAIT).until(() -> fx.event(id, "failed").isPresent());
    await().during(Duration.ofSeconds(2)).until(() -> deadLettersFor("missing") == before + 1);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void aHealthPathThatNeverPassesFailsTheInstanceAndRemovesItsContainer() {
    long freeBefore = freePorts();
    String id = fx.requested("unhealthy");

    fx.publish(id, "unhealthy", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.FAILED);
    assertThat(fx.instance(id).lastError()).contains("not 2xx");
    assertThat(fx.containersOf(id)).isEmpty();
    assertThat(freePorts()).isEqualTo(freeBefore);
  }

  /**
   * Ownership by name and labels, and the crash between create and mark_started: an earlier attempt
   * (an older fence) claimed the instance, took its port and created + started the container, then
   * died. The redelivery after its lease adopts that container, and the dead attempt's late
   * mark_started is rejected.
   */
  @Test
  void aCrashBetweenCreateAndMarkStartedEndsWithOneStartedContainer() throws Exception {
    String id = fx.requested("hello");
    ClaimResult.Claimed old =
        (ClaimResult.Claimed) store.claims().claimProvision(id, Duration.ofMillis(300));
    int port = ((PortResult.Allocated) store.provisioning().allocatePort(id, old.fence())).port();
    ContainerSpec spec =
        ContainerSpec.forInstance(
            id, "hello", templates.templates().get("hello"), port, store.prefix(), "127.0.0.1");
    String created = containers.ensureCreated(spec).id();
    containers.start(created);
    await().atMost(WAIT).until(() -> store.leaseExpired(100).contains(id));

    fx.publish(id, "hello", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    assertThat(fx.containersOf(id)).extracting(ContainerInfo::id).containsExactly(created);
    assertThat(fx.instance(id).port()).isEqualTo(port);
    assertThat(fx.instance(id).fence()).isGreaterThan(old.fence());
    assertThat(store.provisioning().markStarted(id, old.fence(), spec.name()))
        .isInstanceOf(StaleFence.class);
    assertThat(ProvisionFixture.httpStatus(port, "/healthz")).isEqualTo(200);
  }

  /** An earlier attempt created the container but never started it: it is adopted, not doubled. */
  @Test
  void aCreatedButNeverStartedContainerIsAdopted() {
    String id = fx.requested("hello");
    ClaimResult.Claimed old =
        (ClaimResult.Claimed) store.claims().claimProvision(id, Duration.ofMillis(300));
    int port = ((PortResult.Allocated) store.provisioning().allocatePort(id, old.fence())).port();
    String created =
        containers
            .ensureCreated(
                ContainerSpec.forInstance(
                    id,
                    "hello",
                    templates.templates().get("hello"),
                    port,
                    store.prefix(),
                    "127.0.0.1"))
            .id();
    await().atMost(WAIT).until(() -> store.leaseExpired(100).contains(id));

    fx.publish(id, "hello", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    assertThat(fx.containersOf(id)).extracting(ContainerInfo::id).containsExactly(created);
  }

  @Test
  void aRequestForAnInstanceWithoutRecordIsDoneWithoutAContainer() {
    String id = io.trynow.model.Ids.newInstanceId();
    long before = deadLettersFor("hello");

    fx.publish(id, "hello", id);

    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> fx.containersOf(id).isEmpty());
    assertThat(deadLettersFor("hello")).isEqualTo(before);
  }

  /**
   * The "replaying it after fixing the template produces a healthy instance": the failed
   * instance stays failed (final), and the replayed request provisions a replacement — once, even
   * if the replay is delivered again.
   */
  @Test
  void replayingADeadLetterAfterTheImageExistsProvisionsAHealthyReplacement() {
    String id = fx.requested("late");
    fx.publish(id, "late", id);
    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.FAILED);
    await().atMost(WAIT).until(() -> deadLettersFor("late") == 1);
    DeadLetter dead = deadLetters.list(0, 500, Subjects.provision("late")).items().getFirst();
    String tag = LateImageResource.IMAGE.substring(LateImageResource.IMAGE.indexOf(':') + 1);
    DockerEngine.client().tagImageCmd(SampleImage.IMAGE, "trynow/sample-hello", tag).exec();
    try {
      assertThat(deadLetters.replay(dead.sequence())).isPresent();

      await().atMost(WAIT).until(() -> startedOf("late").size() == 1);
      Instance replacement = startedOf("late").getFirst();
      assertThat(replacement.id()).isNotEqualTo(id);
      assertThat(ProvisionFixture.httpStatus(replacement.port(), "/healthz")).isEqualTo(200);
      assertThat(fx.instance(id).state()).isEqualTo(InstanceState.FAILED);
      // the same replay delivered again changes nothing
      fx.publishReplay(id, "late", "again:" + id, String.valueOf(dead.sequence()));
      await()
          .during(Duration.ofSeconds(2))
          .atMost(WAIT)
          .untilAsserted(() -> {
            assertThat(startedOf("late"))
                .extracting(Instance::id)
                .containsExactly(replacement.id());
            assertThat(fx.containersOf(replacement.id())).hasSize(1);
          });
    } finally {
      DockerEngine.client().removeImageCmd(LateImageResource.IMAGE).exec();
    }
  }

  private List<Instance> startedOf(String template) {
    return store.instances(InstanceState.STARTED).stream()
        .filter(i -> i.template().equals(template))
        .toList();
  }

  private long deadLettersFor(String template) {
    return deadLetters.list(0, 500, Subjects.provision(template)).items().stream()
        .map(DeadLetter::sequence)
        .count();
  }

  /** Free instance ports now ({@code init_ports} is idempotent and reports the counts). */
  private long freePorts() {
    return store.capacity().initPorts(ports.first(), ports.last()).free();
  }
}
