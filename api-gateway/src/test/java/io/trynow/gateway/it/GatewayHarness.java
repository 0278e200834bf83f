package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trynow.model.Subjects;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.RealServersResource;
import java.util.HashMap;
import java.util.Map;

/**
 * What every gateway IT needs besides its own Quarkus app: a pool-service process on the same NATS,
 * Valkey and key prefix, and templates configured the same way on both sides.
 */
public final class GatewayHarness {

  public static final String ADMIN_KEY = "test-admin-key-0123456789";

  private GatewayHarness() {}

  /** pool-service settings of the tests: no replenishing, short queue timeout. */
  public static Map<String, String> poolConfig(Map<String, String> extra) {
    Map<String, String> c = new HashMap<>();
    c.put("trynow.templates.hello.min-ready", "0");
    c.put("trynow.templates.hello.max-queue", "1000");
    c.put("trynow.templates.brief.image", "trynow/sample-hello:1");
    c.put("trynow.templates.brief.min-ready", "0");
    c.put("trynow.templates.brief.default-ttl", "1m");
    c.put("trynow.templates.brief.extend-step", "1m");
    c.put("trynow.templates.brief.max-lifetime", "3m");
    c.put("trynow.templates.brief.max-queue", "5");
    c.putAll(extra);
    return c;
  }

  /**
   * Starts pool-service on an empty keyspace. Quarkus reuses one app (and its test resource) for
   * every test class with the same resources, so each class starts from a flushed Valkey.
   */
  public static PoolProcess startPool(Store store, Map<String, String> extra) {
    RealServersResource.servers().valkey().command("FLUSHALL");
    store.capacity().initPorts(30000, 39999);
    return startPoolKeepingState(store, extra);
  }

  /** {@link #startPool} with the test's own store connection, closed afterwards. */
  public static PoolProcess startPoolOnEmptyKeyspace(Map<String, String> extra) {
    Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix());
    try (s) {
      return startPool(s, extra);
    }
  }

  /** Starts pool-service on the keyspace as it is. */
  public static PoolProcess startPoolKeepingState(Store store, Map<String, String> extra) {
    return PoolProcess.start(
        RealServersResource.servers(), RealServersResource.prefix(), poolConfig(extra));
  }

  /** {@code POST /v1/demos} for {@code template} from client IP {@code ip} (X-Forwarded-For). */
  public static Response acquire(String template, String ip) {
    return given()
        .contentType(ContentType.JSON)
        .header("X-Forwarded-For", ip)
        .body("{\"template\":\"" + template + "\"}")
        .post("/v1/demos");
  }

  /** Messages ever stored in TRYNOW_ACQUIRE (its last sequence; 0 before the first). */
  public static long acquireMessages() throws Exception {
    try (Connection nc = Nats.connect(RealServersResource.servers().nats().url())) {
      try {
        return nc.jetStreamManagement()
            .getStreamInfo(Subjects.STREAM_ACQUIRE)
            .getStreamState()
            .getLastSequence();
      } catch (io.nats.client.JetStreamApiException e) {
        return 0;
      }
    }
  }
}
