package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser-facing edge of the real gateway (with the real pool-service): CORS for the embedded
 * button, the embed script, the try, demo and demo-host pages, and leaving the queue. The browser
 * itself is in system-tests' {@code BrowserSystemIT}.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class BrowserSurfacesIT {

  static final String SHOP = "http://shop.example.test";
  static final String BLOG = "http://blog.example.test:8000";
  static final String STRANGER = "http://evil.example.test";

  static PoolProcess pool;

  @Inject Store store;

  @BeforeAll
  static void startPool() {
    pool = GatewayHarness.startPoolOnEmptyKeyspace(Map.of());
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  static Response acquire(String template, String ip, String origin) {
    var r =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", ip)
            .header("Idempotency-Key", java.util.UUID.randomUUID().toString());
    if (origin != null) {
      r.header("Origin", origin);
    }
    return r.body("{\"template\":\"" + template + "\"}").post("/v1/demos");
  }

  static Response preflight(String origin) {
    return given()
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,idempotency-key")
        .options("/v1/demos");
  }

  // ---- CORS -------------------------------------------------------------------------------------

  @Test
  void anAllowedSiteGetsItsPreflightAndCanReadTheHeadersTheButtonNeeds() {
    preflight(BLOG)
        .then()
        .statusCode(204)
        .header("Access-Control-Allow-Origin", BLOG)
        .header("Access-Control-Allow-Methods", containsString("POST"))
        .header("Access-Control-Allow-Headers", containsString("Idempotency-Key"))
        .header("Access-Control-Max-Age", "600")
        .header("Vary", containsString("Origin"))
        .header("Access-Control-Allow-Credentials", (String) null);

    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.61", BLOG);
    r.then().statusCode(201).header("Access-Control-Allow-Origin", BLOG);
    String exposed = r.header("Access-Control-Expose-Headers");
    assertThat(exposed)
        .contains("Location", "Retry-After", "RateLimit-Policy", "RateLimit", "Trynow-Request-Id");
  }

  @Test
  void aSiteNotOnTheListIsRefusedAndItsCallChangesNothing() {
    preflight(STRANGER)
        .then()
        .statusCode(403)
        .header("Access-Control-Allow-Origin", (String) null)
        .body("type", equalTo("https://trynow.dev/problems/origin-not-allowed"));

    long waiting = store.poolStats("hello").waiting();
    long assigned = store.poolStats("hello").assigned();
    // a "simple" cross-site request sent without a preflight is refused before anything runs
    acquire("hello", "198.51.100.62", STRANGER)
        .then()
        .statusCode(403)
        .header("Access-Control-Allow-Origin", (String) null)
        .body("type", equalTo("https://trynow.dev/problems/origin-not-allowed"));
    assertThat(store.poolStats("hello").waiting()).isEqualTo(waiting);
    assertThat(store.poolStats("hello").assigned()).isEqualTo(assigned);
    // a read from it gets no CORS header (the browser hides the answer)
    given()
        .header("Origin", STRANGER)
        .get("/v1/templates")
        .then()
        .statusCode(200)
        .header("Access-Control-Allow-Origin", (String) null);
  }

  @Test
  void aTemplateWithItsOwnListRefusesTheOtherAllowedSites() {
    acquire("brief", "198.51.100.63", BLOG)
        .then()
        .statusCode(403)
        .body("type", equalTo("https://trynow.dev/problems/origin-not-allowed"));
    Pools.fill(store, "brief", 1);
    acquire("brief", "198.51.100.63", SHOP).then().statusCode(201);
  }

  @Test
  void theGatewaysOwnPagesAreSameOriginAndNeedNoEntry() {
    Pools.fill(store, "hello", 1);
    acquire(
            "hello",
            "198.51.100.64",
            io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port)
        .then()
        .statusCode(201)
        .header("Access-Control-Allow-Origin", (String) null);
  }

  // ---- the embed script and the pages -----------------------------------------------------------

  @Test
  void theEmbedScriptIsCacheableLoadableFromAnySiteAndWithinItsBudget() {
    Response r = given().get("/embed/v1/trynow.js");
    r.then()
        .statusCode(200)
        .contentType(containsString("text/javascript"))
        .header("Cache-Control", containsString("max-age="))
        .header("Access-Control-Allow-Origin", "*")
        .header("X-Content-Type-Options", "nosniff")
        .body(containsString("customElements.define('trynow-button'"));
    String etag = r.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    assertThat(r.asByteArray().length)
        .isLessThanOrEqualTo(io.trynow.gateway.web.WebAssets.EMBED_BUDGET_BYTES);
    given().header("If-None-Match", etag).get("/embed/v1/trynow.js").then().statusCode(304);
    given().get("/assets/demo-bar.js").then().statusCode(200);
    given().get("/assets/trynow.css").then().statusCode(200).contentType(containsString("css"));
  }

  @Test
  void theTryPageShowsTheButtonAndStartsNothingByItself() {
    long waiting = store.poolStats("hello").waiting();
    given()
        .get("/try/hello")
        .then()
        .statusCode(200)
        .contentType(containsString("text/html"))
        .header("Content-Security-Policy", containsString("script-src 'self'"))
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .body(containsString("<trynow-button id=\"try\" template=\"hello\">"))
        .body(containsString("<script src=\"/embed/v1/trynow.js\"></script>"));
    assertThat(store.poolStats("hello").waiting()).isEqualTo(waiting);
    given().get("/try").then().statusCode(200).body(containsString("href=\"/try/brief\""));
    given()
        .get("/try/nope")
        .then()
        .statusCode(404)
        .contentType(containsString("text/html"))
        .body(containsString("No such demo"));
    given().get("/try/<script>").then().statusCode(404).body(not(containsString("<script>")));
  }

  @Test
  void theDemoPageTakesTheTokenOnlyFromAPostThatProvesIt() {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.65", null);
    String id = r.path("id");
    String token = r.path("access_token");

    given()
        .formParam("access_token", "A".repeat(43))
        .post("/demo/" + id)
        .then()
        .statusCode(403)
        .body(not(containsString("trynow-handoff")));
    String page =
        given()
            .formParam("access_token", token)
            .post("/demo/" + id)
            .then()
            .statusCode(200)
            .header("Cache-Control", "no-store")
            .header("Content-Security-Policy", containsString("frame-src http://" + id))
            .extract()
            .asString();
    assertThat(page)
        .contains("<script type=\"application/json\" id=\"trynow-handoff\">{\"token\":\"" + token);
    given()
        .get("/demo/" + id)
        .then()
        .statusCode(200)
        .body(containsString("data-demo-id=\"" + id + "\""))
        .body(containsString("data-warning-seconds=\"59\""))
        .body(not(containsString(token)));
    given().get("/demo/" + Ids.newInstanceId()).then().statusCode(404);
    given().get("/demo/..%2Fadmin").then().statusCode(404);
  }

  @Test
  void theDemoHostPageSaysStartingEndedOrUnknown() {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.66", null);
    String id = r.path("id");
    String host = id + ".demo.localhost";

    given()
        .header("Trynow-Demo-Host", host)
        .get("/demo-host")
        .then()
        .statusCode(503)
        .header("Refresh", "3")
        .header("Retry-After", "3")
        .body(containsString("data-demo-state=\"starting\""));

    given().auth().oauth2(r.path("access_token")).delete("/v1/demos/" + id).then().statusCode(202);
    given()
        .header("Trynow-Demo-Host", host)
        .get("/demo-host")
        .then()
        .statusCode(410)
        .header("Content-Security-Policy", containsString("default-src 'none'"))
        .body(containsString("This demo has ended"))
        .body(containsString("href=\"http://127.0.0.1:"))
        .body(containsString("/try/hello\""));

    given()
        .header("Trynow-Demo-Host", Ids.newInstanceId() + ".demo.localhost")
        .get("/demo-host")
        .then()
        .statusCode(404)
        .body(containsString("No such demo"));
    given().get("/demo-host").then().statusCode(404);
  }

  // ---- leaving the queue ------------------------------------------------------------------------

  @Test
  void cancelTakesAQueuedRequestOutOfTheQueueAndOnlyForItsOwner() {
    // hello has no ready instance left after the other tests took theirs: both wait
    while (store.poolStats("hello").ready() > 0) {
      acquire("hello", "198.51.100.67", null).then().statusCode(201);
    }
    Response first = acquire("hello", "198.51.100.68", null);
    first.then().statusCode(202).body("status", equalTo("queued"));
    Response second = acquire("hello", "198.51.100.69", null);
    second.then().statusCode(202).body("position", equalTo(first.<Integer>path("position") + 1));
    String rid = first.path("request_id");

    given()
        .auth()
        .oauth2(second.<String>path("access_token"))
        .delete("/v1/requests/" + rid)
        .then()
        .statusCode(403);
    given().delete("/v1/requests/" + rid).then().statusCode(401);
    long waiting = store.poolStats("hello").waiting();

    given()
        .auth()
        .oauth2(first.<String>path("access_token"))
        .delete("/v1/requests/" + rid)
        .then()
        .statusCode(202)
        .body("status", equalTo("expired"));

    assertThat(store.poolStats("hello").waiting()).isEqualTo(waiting - 1);
    assertThat(store.request(rid).orElseThrow().state().wire()).isEqualTo("expired");
    // the one behind moved up
    given()
        .auth()
        .oauth2(second.<String>path("access_token"))
        .get("/v1/requests/" + second.path("request_id"))
        .then()
        .body("position", equalTo(first.<Integer>path("position")));
    // a repeat is harmless
    given()
        .auth()
        .oauth2(first.<String>path("access_token"))
        .delete("/v1/requests/" + rid)
        .then()
        .statusCode(202);
    // leave no one waiting for the other tests' instances
    given()
        .auth()
        .oauth2(second.<String>path("access_token"))
        .delete("/v1/requests/" + second.path("request_id"))
        .then()
        .statusCode(202);
    assertThat(store.poolStats("hello").waiting()).isEqualTo(waiting - 2);
  }

  @Test
  void cancellingARequestThatJustGotItsDemoReleasesTheDemo() {
    Pools.fill(store, "brief", 1);
    Response r = acquire("brief", "198.51.100.70", SHOP);
    r.then().statusCode(201);
    String id = r.path("id");

    given()
        .auth()
        .oauth2(r.<String>path("access_token"))
        .delete("/v1/requests/" + r.path("request_id"))
        .then()
        .statusCode(202)
        .body("demo.status", equalTo("terminating"));
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.TERMINATING);
  }
}
