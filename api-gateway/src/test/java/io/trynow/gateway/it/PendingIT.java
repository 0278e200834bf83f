package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * pool-service is down when the visitor asks: the gateway answers 202 "pending" after its bounded
 * wait, the request waits in JetStream, and is served when pool-service comes up. Also: an API key
 * is required when keys are configured, and the OpenAPI document is served.
 */
@QuarkusTest
@TestProfile(PendingIT.ShortWait.class)
@WithTestResource(RealServersResource.class)
class PendingIT {

  /** A short reply wait, and API keys. */
  public static class ShortWait implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.gateway.reply-wait", "1s",
          "trynow.gateway.api-keys", "key-0123456789abcdef,key-fedcba9876543210");
    }
  }

  @Inject Store store;

  @Test
  void withThePoolDownTheVisitorGetsPendingAndTheRequestIsServedLater() {
    RealServersResource.servers().valkey().command("FLUSHALL");
    store.capacity().initPorts(30000, 39999);

    given()
        .contentType(ContentType.JSON)
        .body("{\"template\":\"hello\"}")
        .post("/v1/demos")
        .then()
        .statusCode(401);
    given()
        .contentType(ContentType.JSON)
        .header("X-Api-Key", "key-not-configured-000")
        .body("{\"template\":\"hello\"}")
        .post("/v1/demos")
        .then()
        .statusCode(401);

    long start = System.nanoTime();
    Response r =
        given()
            .contentType(ContentType.JSON)
            .header("X-Api-Key", "key-fedcba9876543210")
            .header("X-Forwarded-For", "198.51.100.81")
            .body("{\"template\":\"hello\"}")
            .post("/v1/demos");
    r.then()
        .statusCode(202)
        .body("status", equalTo("pending"))
        .body("request_id", notNullValue())
        .body("access_token", notNullValue());
    org.assertj.core.api.Assertions.assertThat((System.nanoTime() - start) / 1e9)
        .isBetween(0.9, 10.0);
    String statusUrl = r.path("status_url");
    given().get(statusUrl).then().statusCode(200).body("status", equalTo("pending"));
    // a demo gets ready meanwhile (had it been ready at the ask, the gateway's fast path would
    // have handed it out without pool-service: FastPathIT)
    Pools.fill(store, "hello", 1);

    try (PoolProcess pool = GatewayHarness.startPoolKeepingState(store, Map.of())) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() ->
              given()
                  .get(statusUrl)
                  .then()
                  .statusCode(200)
                  .body("status", equalTo("assigned"))
                  .body("demo.status", equalTo("assigned")));
    }
  }

  @Test
  void theOpenApiDocumentAndSwaggerUiAreServed() {
    // on the management interface (with the admin API), not on the public port
    given().get("/q/openapi").then().statusCode(404);
    given()
        .baseUri(io.trynow.testsupport.ManagementPort.base())
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        // POST /v1/demos is mostly served by a plain Vert.x route (AcquireRoute) ahead of Quarkus
        // REST; the document still describes it whole: body, headers, answers
        .body("paths.'/v1/demos'.post.summary", equalTo("Ask for a demo"))
        .body(
            "paths.'/v1/demos'.post.requestBody.content.'application/json'.schema.'$ref'",
            equalTo("#/components/schemas/AcquireRequest"))
        .body(
            "paths.'/v1/demos'.post.parameters.name",
            org.hamcrest.Matchers.hasItems("Idempotency-Key", "X-Api-Key"))
        .body(
            "paths.'/v1/demos'.post.responses.keySet()",
            org.hamcrest.Matchers.hasItems("201", "202", "400", "401", "429", "503"))
        .body("paths.'/v1/demos/{id}/events'.get", notNullValue())
        .body("components.schemas.Problem.properties.request_id", notNullValue())
        .body("components.schemas.Problem.properties.type", notNullValue());
    // every 4xx/5xx of /v1 and /admin references the Problem schema as application/problem+json
    io.restassured.path.json.JsonPath doc =
        given()
            .baseUri(io.trynow.testsupport.ManagementPort.base())
            .get("/q/openapi?format=json")
            .jsonPath();
    java.util.Map<String, java.util.Map<String, Object>> paths = doc.getMap("paths");
    int errors = 0;
    for (var p : paths.entrySet()) {
      if (!p.getKey().startsWith("/v1/") && !p.getKey().startsWith("/admin/")) {
        continue;
      }
      for (var op : p.getValue().entrySet()) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, java.util.Map<String, Object>> responses =
            (java.util.Map<String, java.util.Map<String, Object>>)
                ((java.util.Map<String, Object>) op.getValue()).get("responses");
        org.assertj.core.api.Assertions.assertThat(responses)
            .as("%s %s", op.getKey(), p.getKey())
            .containsKeys("500", "503");
        for (var r : responses.entrySet()) {
          if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
            errors++;
            org.assertj.core.api.Assertions.assertThat(String.valueOf(r.getValue().get("content")))
                .as("%s %s %s", op.getKey(), p.getKey(), r.getKey())
                .contains("application/problem+json")
                .contains("#/components/schemas/Problem");
          }
        }
      }
    }
    org.assertj.core.api.Assertions.assertThat(errors).isGreaterThan(20);
    given()
        .baseUri(io.trynow.testsupport.ManagementPort.base())
        .get("/q/swagger-ui/")
        .then()
        .statusCode(200);
  }

  @Test
  void valkeyDownIsA503WithRetryAfterNotA500() {
    RealServersResource.servers().valkey().kill();
    try {
      given()
          .contentType(ContentType.JSON)
          .header("X-Api-Key", "key-fedcba9876543210")
          .body("{\"template\":\"hello\"}")
          .post("/v1/demos")
          .then()
          .statusCode(503)
          .header("Retry-After", notNullValue())
          .body("type", equalTo("https://trynow.dev/problems/unavailable"));
      given().get("/v1/templates").then().statusCode(503);
    } finally {
      RealServersResource.servers().valkey().start();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> given().get("/v1/templates").then().statusCode(200));
  }
}
