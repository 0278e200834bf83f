package io.trynow.gateway.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.trynow.gateway.it.GatewayHarness;
import io.trynow.testsupport.ManagementPort;
import io.trynow.testsupport.RealServersResource;
import org.junit.jupiter.api.Test;

/**
 * Health, metrics, OpenAPI, the admin API and the dashboard answer on the management port only; the
 * public port answers 404 for all of them.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class ManagementPortIT {

  static String management() {
    return ManagementPort.base();
  }

  @Test
  void operatorPathsAreOnTheManagementPortOnly() throws Exception {
    for (String p :
        new String[] {
          "/q/health/ready", "/q/metrics", "/q/openapi", "/admin/pools", "/admin", "/ops/"
        }) {
      given().get(p).then().statusCode(404);
    }
    given().baseUri(management()).get("/q/health/ready").then().statusCode(200);
    given()
        .baseUri(management())
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("jvm_memory_used_bytes"));
    given()
        .baseUri(management())
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/pools")
        .then()
        .statusCode(200);
    given().baseUri(management()).get("/admin/pools").then().statusCode(401);
    // a body reaches the resource through the management port (400: the list is empty)
    given()
        .baseUri(management())
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .contentType(ContentType.JSON)
        .body("{\"sequences\":[]}")
        .post("/admin/dead-letters/replay")
        .then()
        .statusCode(400)
        .body("error", equalTo("bad_request"));
    // HTTP/2 (h2c, the JDK client's default): served, or refused with a clear 426 — never a 500
    // (the management router has read the body already, and Quarkus REST then pauses the ended
    // request, which HTTP/2 refuses)
    java.net.http.HttpClient h2 =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .build();
    for (int i = 0; i < 3; i++) {
      java.net.http.HttpResponse<String> r =
          h2.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(management() + "admin/dead-letters/replay"))
                  .header("Authorization", "Bearer " + GatewayHarness.ADMIN_KEY)
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sequences\":[]}"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(r.body()).isIn(400, 426);
    }
    // the public API stays where it was
    given().get("/v1/templates").then().statusCode(200);
  }
}
