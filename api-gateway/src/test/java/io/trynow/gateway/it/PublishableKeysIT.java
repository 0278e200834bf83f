package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.trynow.testsupport.RealServersResource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gateway that requires keys: the public button uses a publishable key, which works only from a
 * browser on one of its sites; the secret key works from a server.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@TestProfile(PublishableKeysIT.Keys.class)
class PublishableKeysIT {

  static final String PK = "pk_shop_0123456789abcdef";
  static final String SECRET = "secret-api-key-0123456789";

  public static class Keys implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.gateway.cors.publishable-keys." + PK,
          BrowserSurfacesIT.SHOP,
          "trynow.gateway.api-keys",
          SECRET,
          // no pool-service here: an admitted acquire answers 202 pending after this wait
          "trynow.gateway.reply-wait",
          "200ms");
    }
  }

  static RequestSpecification acquire(String ip) {
    return given()
        .contentType(ContentType.JSON)
        .header("X-Forwarded-For", ip)
        .body("{\"template\":\"hello\"}");
  }

  @Test
  void aPublishableKeyWorksOnlyFromItsOwnSites() {
    acquire("198.51.100.81").post("/v1/demos").then().statusCode(401);
    acquire("198.51.100.81")
        .header("X-Api-Key", PK)
        .post("/v1/demos")
        .then()
        .statusCode(401)
        .body("type", equalTo("https://trynow.dev/problems/unauthorized"));
    acquire("198.51.100.81")
        .header("X-Api-Key", PK)
        .header("Origin", BrowserSurfacesIT.BLOG)
        .post("/v1/demos")
        .then()
        .statusCode(401);
    acquire("198.51.100.81")
        .header("X-Api-Key", PK)
        .header("Origin", BrowserSurfacesIT.SHOP)
        .post("/v1/demos")
        .then()
        .statusCode(not(equalTo(401)))
        .header("Access-Control-Allow-Origin", BrowserSurfacesIT.SHOP);
    acquire("198.51.100.82")
        .header("X-Api-Key", SECRET)
        .post("/v1/demos")
        .then()
        .statusCode(not(equalTo(401)));
  }
}
