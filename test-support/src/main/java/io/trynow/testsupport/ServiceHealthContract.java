package io.trynow.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * What every trynow service must answer, against real servers: liveness, readiness that really
 * checks NATS and Valkey, and Prometheus metrics. A service's {@code HealthIT} extends this with
 * {@code @QuarkusTest @WithTestResource(RealServersResource.class)}.
 */
public abstract class ServiceHealthContract {

  /**
   * A request to where the service serves {@code /q/*}: its HTTP port, or its management interface
   * when it has one (api-gateway overrides this with {@link ManagementPort#base()}).
   */
  protected RequestSpecification q() {
    return given();
  }

  /** Whether the service talks to Docker, and so has the opt-in {@code docker} readiness check. */
  protected boolean talksToDocker() {
    return false;
  }

  @Test
  void theDockerReadinessCheckOnlyWhereTheServiceTalksToDocker() {
    q().get("/q/health/ready")
        .then()
        .body(
            "checks.name",
            talksToDocker()
                ? org.hamcrest.Matchers.hasItem("docker")
                : org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("docker")));
  }

  @Test
  void liveAndReadyWithRealNatsAndValkeyChecks() {
    q().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    q().get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem("nats"))
        .body("checks.name", hasItem("valkey"));
  }

  @Test
  void readinessGoesDownWhileNatsIsDownAndRecovers() {
    RealServersResource.servers().nats().kill();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .untilAsserted(() -> q().get("/q/health/ready").then().statusCode(503));
    } finally {
      RealServersResource.servers().nats().start();
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(() -> q().get("/q/health/ready").then().statusCode(200));
  }

  @Test
  void prometheusMetrics() {
    q().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
  }
}
