package io.trynow.platform.state;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;

/**
 * Base of the readiness-DOWN tests: each subclass starts the service against a Valkey it cannot use
 * (wrong password, TLS of another CA, nothing listening) and checks that {@code /q/health/ready} is
 * DOWN with a check named {@code valkey} whose error names Valkey, where it is and what failed.
 */
abstract class ReadinessDownBase {

  void readinessIsDownNaming(String... reasons) {
    JsonPath health = given().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
    assertThat(health.getString("checks.find { it.name == 'valkey' }.status")).isEqualTo("DOWN");
    String error = health.getString("checks.find { it.name == 'valkey' }.data.error");
    assertThat(error).startsWith("valkey at rediss://127.0.0.1:");
    assertThat(error).containsAnyOf(reasons);
    assertThat(error).doesNotContain(SecuredValkeyResource.PASSWORD);
  }
}
