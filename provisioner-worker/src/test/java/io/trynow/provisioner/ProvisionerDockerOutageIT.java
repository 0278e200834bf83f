package io.trynow.provisioner;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.DockerProxyResource;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A circuit breaker on the engine, and a Docker daemon restart: while the engine is unreachable the
 * breaker opens, readiness goes down and the request is retried (not failed); when the engine is
 * back the same process finishes it — no restart.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@WithTestResource(ProvisionerDockerOutageIT.Outage.class)
class ProvisionerDockerOutageIT {

  /** The engine behind a cuttable proxy, and enough deliveries to outlast the outage. */
  public static class Outage extends DockerProxyResource {
    @Override
    public Map<String, String> start() {
      Map<String, String> config = new HashMap<>(super.start());
      config.put("trynow.provisioner.consumer.max-deliver", "60");
      config.put("trynow.provisioner.consumer.backoff", "300ms");
      return config;
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(45);

  @Inject Store store;
  @Inject Publisher publisher;
  @Inject Containers containers;
  @Inject NatsClient nats;

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @AfterEach
  void cleanUp() {
    DockerProxyResource.proxy().restore();
    new ProvisionFixture(store, publisher, containers, nats).removeAllContainers();
  }

  @Test
  void anEngineOutageOpensTheBreakerAndTheWorkerRecoversWithoutRestart() {
    ProvisionFixture fx = new ProvisionFixture(store, publisher, containers, nats);
    String id = fx.requested("hello");
    DockerProxyResource.proxy().cut();

    fx.publish(id, "hello", id);

    await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(metrics())
                .containsPattern(
                    "ft_circuitbreaker_opened_total\\{method=\"docker engine\"} [1-9]"));
    await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
    assertThat(fx.instance(id).state()).isEqualTo(InstanceState.PROVISIONING);

    DockerProxyResource.proxy().restore();

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    assertThat(fx.containersOf(id)).hasSize(1);
    assertThat(ProvisionFixture.httpStatus(fx.instance(id).port(), "/healthz")).isEqualTo(200);
    await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(metrics())
                .contains(
                    "ft_circuitbreaker_state_current{method=\"docker engine\",state=\"closed\"} 1.0"));
    await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
  }

  private static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }
}
