package io.trynow.gateway.it;

import static io.trynow.gateway.it.GatewayHarness.acquire;
import static io.trynow.gateway.it.GatewayHarness.acquireMessages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-IP live cap is one setting, the gateway's {@code max-live-per-ip}: its fast path checks
 * it, and an acquire that goes the queue path carries it to pool-service (started here with no cap
 * setting of its own, since it has none), so both paths refuse at the same count.
 */
@QuarkusTest
@TestProfile(LiveCapIT.CapOfTwo.class)
@WithTestResource(RealServersResource.class)
class LiveCapIT {

  static final String TOO_MANY = "https://trynow.dev/problems/too-many-live-demos";

  /** A live cap of 2, set on the gateway only. */
  public static class CapOfTwo implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("trynow.gateway.max-live-per-ip", "2");
    }
  }

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

  static void refusedAtTheCap(Response r) {
    r.then()
        .statusCode(429)
        .body("type", equalTo(TOO_MANY))
        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
  }

  /** Two warm hits on the fast path; the third goes to pool-service, which refuses it at 2 too. */
  @Test
  void theFastPathAndPoolServiceRefuseTheThirdWarmDemo() throws Exception {
    Pools.fill(store, "hello", 3);
    String ip = "198.51.100.221";
    long before = acquireMessages();
    acquire("hello", ip).then().statusCode(201);
    acquire("hello", ip).then().statusCode(201);
    assertThat(acquireMessages()).as("both were fast-path hits").isEqualTo(before);

    refusedAtTheCap(acquire("hello", ip));

    assertThat(acquireMessages()).as("the third was decided by pool-service").isEqualTo(before + 1);
    assertThat(store.poolStats("hello").ready()).as("a demo is ready, not handed out").isEqualTo(1);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /** Nothing ready: pool-service queues two and refuses the third, at the gateway's cap. */
  @Test
  void theQueuePathRefusesAtTheSameCap() {
    String ip = "198.51.100.222";
    acquire("brief", ip).then().statusCode(202).body("status", equalTo("queued"));
    acquire("brief", ip).then().statusCode(202).body("status", equalTo("queued"));

    refusedAtTheCap(acquire("brief", ip));

    // another address is not held back by this one's
    acquire("brief", "198.51.100.223").then().statusCode(202);
  }

  /** A warm demo and a queued request count alike, whichever path took them. */
  @Test
  void demosTakenOnEitherPathCountTowardTheOneCap() {
    String ip = "198.51.100.224";
    Pools.fill(store, "hello", 2);
    acquire("hello", ip).then().statusCode(201);
    acquire("brief", ip).then().statusCode(202).body("status", equalTo("queued"));

    // the fast path sees the cap reached (a demo is ready); so does pool-service for "brief"
    refusedAtTheCap(acquire("hello", ip));
    refusedAtTheCap(acquire("brief", ip));
  }
}
