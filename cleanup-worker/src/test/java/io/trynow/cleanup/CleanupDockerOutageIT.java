package io.trynow.cleanup;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.testsupport.DockerProxyResource;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Docker daemon restart: while the engine cannot be reached, the sweeper never mistakes "could
 * not see" for "gone" (live instances stay live), teardowns wait instead of failing, and everything
 * finishes once the engine is back — same process, no restart.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@WithTestResource(DockerProxyResource.class)
class CleanupDockerOutageIT {

  private static final Duration WAIT = Duration.ofSeconds(45);

  @Inject Store store;
  @Inject Containers containers;
  @Inject Publisher publisher;
  @Inject NatsClient nats;
  @Inject TemplatesConfig templates;

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @AfterEach
  void cleanUp() {
    DockerProxyResource.proxy().restore();
    new CleanupFixture(store, containers, publisher, nats, templates).removeAllContainers();
  }

  @Test
  void duringAnOutageNothingLiveIsFailedAndTeardownsFinishAfterwards() {
    CleanupFixture fx = new CleanupFixture(store, containers, publisher, nats, templates);
    Instance keep = fx.assigned(CleanupFixture.newTemplate(), Duration.ofMinutes(10));
    Instance expire = fx.assigned(CleanupFixture.newTemplate(), Duration.ofSeconds(2));

    DockerProxyResource.proxy().cut();

    await().atMost(WAIT).until(() -> fx.instance(expire.id()).state() == InstanceState.TERMINATING);
    await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
    await()
        .during(Duration.ofSeconds(3))
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(fx.instance(keep.id()).state()).isEqualTo(InstanceState.ASSIGNED);
          assertThat(fx.instance(expire.id()).state()).isEqualTo(InstanceState.TERMINATING);
        });

    DockerProxyResource.proxy().restore();

    await().atMost(WAIT).until(() -> fx.instance(expire.id()).state() == InstanceState.TERMINATED);
    assertThat(fx.container(expire.id())).isEmpty();
    assertThat(fx.instance(keep.id()).state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(fx.container(keep.id()).orElseThrow().running()).isTrue();
    await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
  }
}
