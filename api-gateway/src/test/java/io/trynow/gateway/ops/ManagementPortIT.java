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
    // the dashboard: its static files and its session endpoint, on the management port
    given()
        .baseUri(management())
        .get("/ops/")
        .then()
        .statusCode(200)
        .body(containsString("trynow operations"));
    given().baseUri(management()).get("/ops/ops.js").then().statusCode(200);
    given()
        .baseUri(management())
        .redirects()
        .follow(false)
        .get("/ops")
        .then()
        .statusCode(302)
        .header("Location", "/ops/");
    given()
        .baseUri(management())
        .get("/ops/api/session")
        .then()
        .statusCode(200)
        .body("logged_in", equalTo(false));
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
        .body("type", equalTo("https://trynow.dev/problems/bad-request"));
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

  /**
   * The OpenAPI document (management port) declares the admin bearer scheme, every admin operation
   * requires it (so Swagger UI's "Authorize" applies to them all), and the list endpoints document
   * their pagination: {@code has_more} and {@code next_cursor} in the page, {@code limit} and a
   * cursor parameter.
   */
  @Test
  void theOpenApiDocumentDeclaresTheAdminSchemeAndThePagination() throws Exception {
    String json =
        given()
            .baseUri(management())
            .accept(ContentType.JSON)
            .get("/q/openapi?format=json")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    com.fasterxml.jackson.databind.JsonNode doc = io.trynow.model.Json.MAPPER.readTree(json);
    com.fasterxml.jackson.databind.JsonNode scheme =
        doc.path("components").path("securitySchemes").path("admin");
    org.assertj.core.api.Assertions.assertThat(scheme.path("type").asText()).isEqualTo("http");
    org.assertj.core.api.Assertions.assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
    int adminOperations = 0;
    for (var path : doc.path("paths").properties()) {
      if (!path.getKey().startsWith("/admin")) {
        continue;
      }
      for (var op : path.getValue().properties()) {
        adminOperations++;
        org.assertj.core.api.Assertions.assertThat(op.getValue().path("security").toString())
            .as("%s %s requires the admin scheme", op.getKey(), path.getKey())
            .contains("\"admin\"");
      }
    }
    org.assertj.core.api.Assertions.assertThat(adminOperations).isGreaterThanOrEqualTo(8);
    for (String list : new String[] {"/admin/instances", "/admin/dead-letters"}) {
      com.fasterxml.jackson.databind.JsonNode get = doc.path("paths").path(list).path("get");
      org.assertj.core.api.Assertions.assertThat(get.path("parameters").findValuesAsText("name"))
          .as(list)
          .contains("limit")
          .containsAnyOf("cursor", "after");
      String ref = get.path("responses").path("200").path("content").findValue("$ref").asText();
      com.fasterxml.jackson.databind.JsonNode page =
          doc.path("components")
              .path("schemas")
              .path(ref.substring(ref.lastIndexOf('/') + 1))
              .path("properties");
      org.assertj.core.api.Assertions.assertThat(page.has("has_more") && page.has("next_cursor"))
          .as("%s page %s", list, page)
          .isTrue();
    }
  }
}
