package io.trynow.platform.supervisor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.messaging.Publisher;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The beans as a service gets them, and the health endpoints: readiness DOWN while a loop
 * crash-loops (up again after it recovers, the service never restarted); liveness DOWN while a loop
 * is stuck.
 */
@QuarkusTest
@TestProfile(SupervisorHealthIT.ShortThresholds.class)
@WithTestResource(RealServersResource.class)
class SupervisorHealthIT {

  /** Short thresholds so the test runs in seconds. */
  public static class ShortThresholds implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.supervisor.backoff-initial", "20ms",
          "trynow.supervisor.backoff-max", "200ms",
          "trynow.supervisor.crash-threshold", "500ms",
          "trynow.supervisor.stale-after", "1500ms");
    }
  }

  @Inject Supervisor supervisor;
  @Inject Consumers consumers;
  @Inject Publisher publisher;

  @Test
  void consumerAndPublisherBeansWorkOnTheServicesConnection() {
    String subject = Subjects.cleanup("i" + "w".repeat(19));
    List<String> got = new CopyOnWriteArrayList<>();
    consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_CLEANUP, "wiring", subject).build(),
        d -> {
          got.add(d.text());
          return Outcome.done();
        });
    publisher.publishWithHeaders(
        subject, "wiring", new io.nats.client.impl.Headers(), "hello".getBytes());
    await().atMost(Duration.ofSeconds(30)).until(() -> got.contains("hello"));
  }

  @Test
  void readinessIsDownWhileALoopCrashLoopsAndUpAfterItRecovers() {
    AtomicBoolean broken = new AtomicBoolean(true);
    LoopHandle loop =
        supervisor.every(
            "flaky-health",
            Duration.ofMillis(20),
            () -> {
              if (broken.get()) {
                throw new IllegalStateException("dependency down");
              }
            });
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              given()
                  .get("/q/health/ready")
                  .then()
                  .statusCode(503)
                  .body("checks.findAll { it.status == 'DOWN' }.name", hasItem("loops")));
      given().get("/q/health/live").then().statusCode(200);
      broken.set(false);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
      assertThat(loop.status().failures()).isGreaterThanOrEqualTo(2);
    } finally {
      loop.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void livenessIsDownWhileALoopIsStuck() {
    CountDownLatch release = new CountDownLatch(1);
    LoopHandle loop = supervisor.run("stuck-health", () -> release.await());
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() ->
              given()
                  .get("/q/health/live")
                  .then()
                  .statusCode(503)
                  .body("checks.findAll { it.status == 'DOWN' }.name", hasItem("loops-heartbeat")));
      release.countDown();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> given().get("/q/health/live").then().statusCode(200));
    } finally {
      release.countDown();
      loop.stop(Duration.ofSeconds(1));
    }
  }
}
