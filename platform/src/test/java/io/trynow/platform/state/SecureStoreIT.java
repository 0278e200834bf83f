package io.trynow.platform.state;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.trynow.testsupport.ValkeyServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service's store on a TLS-only Valkey (mutual TLS, certificates made by the test), logged in
 * as a least-privilege ACL user (its keys only, no admin or dangerous commands), configured only
 * through the documented settings; the default user's password is never given to the service.
 */
@QuarkusTest
@WithTestResource(
    value = SecuredValkeyResource.class,
    initArgs = @ResourceArg(name = "mode", value = "tls-acl"))
class SecureStoreIT {

  @Inject Store store;

  @Test
  void theWholeLifecycleRunsOverTlsAsTheAclUser() {
    assertThat(store.where()).startsWith("rediss://127.0.0.1:");
    store.capacity().initPorts(21000, 21009);
    String tpl = "secure";
    String id = Fixtures.ready(store, tpl).id();
    AcquireResult r = store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    assertThat(r)
        .isInstanceOfSatisfying(
            AcquireResult.Assigned.class, a -> assertThat(a.instance().id()).isEqualTo(id));
    assertThat(store.lifecycle().extend(id, Fixtures.TOKEN, Duration.ofMinutes(1)))
        .isInstanceOf(ExtendResult.Extended.class);
    assertThat(ConsistencyChecker.check(store)).isEmpty();

    // what the server saw: the store's connections are TLS and logged in as the ACL user
    ValkeyServer valkey = SecuredValkeyResource.valkey();
    Object clients = valkey.callAs(null, SecuredValkeyResource.DEFAULT_PASSWORD, "CLIENT", "LIST");
    assertThat(String.valueOf(clients)).contains("user=" + SecuredValkeyResource.USER);
    // the least-privilege user really is one: it could not flush the server or read other keys
    assertThat(valkey.call("FLUSHALL")).asString().startsWith("-NOPERM");
    assertThat(valkey.call("GET", "other-key")).asString().startsWith("-NOPERM");
  }

  @Test
  void readinessIsUpThroughTheSameClient() {
    JsonPath health = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
    assertThat(health.getString("checks.find { it.name == 'valkey' }.status")).isEqualTo("UP");
    List<String> names = health.getList("checks.name");
    assertThat(names).doesNotContain("Redis connection health check");
  }
}
