package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.AcquireRequest;
import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.testsupport.SampleImage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code shop} sample and its on-claim hook on the whole stack (issue 14): the hook tells the
 * shop its public URL, which the shop keeps in SQLite under its table prefix and shows on its page;
 * a second delivery of the same acquire calls the hook again with the same claim id and changes
 * nothing; hostile visitor fields are refused with 400 and never reach a container; a hook that
 * hangs past its timeout and a hook that fails never reach the visitor — both instances are torn
 * down and the visitor, queued, is served a fresh instance whose hook ran (the queue path).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShopHookSystemIT {

  static final String SECRET = "shop-hook-secret-for-system-tests";

  private static Stack stack;
  private static Visitor visitor;

  @BeforeAll
  static void startStack() {
    String image = SampleImage.ensureBuilt("shop", SampleImage.SHOP_IMAGE);
    stack =
        Stacks.base("shop-hook")
            .template("hello", Map.of("image", SampleImage.IMAGE, "min-ready", "0"))
            .template(
                "shop",
                Map.ofEntries(
                    Map.entry("image", image),
                    Map.entry("health-path", "/healthz"),
                    Map.entry("health-timeout", "90s"),
                    Map.entry("min-ready", "2"),
                    Map.entry("max-total", "6"),
                    Map.entry("max-in-flight", "2"),
                    Map.entry("memory-mb", "160"),
                    Map.entry("cpus", "1"),
                    Map.entry("table-prefix", "shop_"),
                    Map.entry("hook.type", "http"),
                    Map.entry("hook.secret", SECRET),
                    Map.entry("hook.timeout", "1500ms"),
                    Map.entry("fields.shop_name.max-length", "40"),
                    Map.entry("fields.shop_name.pattern", "[A-Za-z0-9 .-]+"),
                    Map.entry("env.SHOP_FAULTS", "1")))
            .start();
    visitor = new Visitor(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static List<Instance> ready() {
    return stack.readyInstances("shop");
  }

  private static Instance instance(String id) {
    return stack.store().instance(id).orElseThrow();
  }

  /** What a shop instance believes (read on the instance itself, not through trynow). */
  private static JsonNode shopState(Instance i) {
    return Http.get("http://127.0.0.1:" + i.port() + "/_trynow/state", Map.of()).json();
  }

  private static Http.Answer acquire(String fieldsJson) {
    return Http.send(
        "POST",
        stack.url(Service.API_GATEWAY) + "/v1/demos",
        Map.of(),
        "{\"template\":\"shop\",\"fields\":" + fieldsJson + "}");
  }

  @Test
  @Order(1)
  void thePageShowsTheDemoUrlAndASecondDeliveryDoesNotRepeatTheHook() {
    await().atMost(Duration.ofSeconds(180)).until(() -> ready().size() >= 2);
    Http.Answer a = acquire("{\"shop_name\":\"Acme Tools\"}");
    assertThat(a.status()).as(a.toString()).isEqualTo(201);
    String id = a.json().path("id").asText();
    URI url = URI.create(a.json().path("url").asText());
    String domain = url.getHost() + ":" + url.getPort();

    Http.Answer page = stack.viaCaddy(id, "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("This shop's domain: <strong id=\"domain\">" + domain + "<");
    assertThat(page.body()).contains("Acme Tools");
    Instance held = instance(id);
    JsonNode first = shopState(held);
    assertThat(first.path("hook_calls").asLong()).isEqualTo(1);
    assertThat(first.path("claims_applied").asLong()).isEqualTo(1);
    assertThat(first.path("bad_signatures").asLong()).isZero();

    // the same acquire delivered a second time (past JetStream's dedup): the pool's acquire is a
    // repeat, the hook is called again with the same claim id, the shop changes nothing
    try (Bus bus = new Bus(stack)) {
      bus.acquire(
          new AcquireRequest(
              held.requestId(),
              "shop",
              held.clientIp(),
              held.ownerTokenHash(),
              System.currentTimeMillis(),
              null,
              Map.of("shop_name", "Acme Tools"),
              0),
          "again-" + held.requestId());
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> shopState(held).path("hook_calls").asLong() == 2);
    JsonNode after = shopState(held);
    assertThat(after.path("claims_applied").asLong()).isEqualTo(1);
    assertThat(after.path("domain").asText()).isEqualTo(domain);
    assertThat(instance(id).state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(instance(id).requestId()).isEqualTo(held.requestId());
    visitor.release(new Visitor.Demo(id, a.json().path("access_token").asText(), a.json()));
  }

  @Test
  @Order(2)
  void hostileFieldsAreRefusedWith400AndNeverReachAContainer() {
    await().atMost(Duration.ofSeconds(180)).until(() -> ready().size() >= 2);
    List<Instance> before = ready();
    long callsBefore =
        before.stream().mapToLong(i -> shopState(i).path("hook_calls").asLong()).sum();
    List<String> hostile =
        List.of(
            "{\"shop_name\":\"Robert'); DROP TABLE shop_shop_url;--\"}",
            "{\"shop_name\":\"a;b\"}",
            "{\"shop_name\":\"$(reboot)\"}",
            "{\"shop_name\":\"`id`\"}",
            "{\"shop_name\":\"" + "x".repeat(500) + "\"}",
            "{\"shop_name\":42}",
            "{\"cmd\":\"rm -rf /\"}");
    for (String fields : hostile) {
      Http.Answer a = acquire(fields);
      assertThat(a.status()).as(fields + " -> " + a).isEqualTo(400);
      assertThat(a.json().path("type").asText())
          .isEqualTo("https://trynow.dev/problems/invalid-field");
      assertThat(a.json().path("detail").asText()).startsWith("fields.");
    }
    // nothing was assigned, queued or called
    assertThat(ready())
        .extracting(Instance::id)
        .containsAll(before.stream().map(Instance::id).toList());
    assertThat(stack.store().poolStats("shop").waiting()).isZero();
    long callsAfter =
        before.stream().mapToLong(i -> shopState(i).path("hook_calls").asLong()).sum();
    assertThat(callsAfter).isEqualTo(callsBefore);
  }

  @Test
  @Order(3)
  void aSlowHookAndAFailingHookNeverReachTheVisitor() {
    await().atMost(Duration.ofSeconds(180)).until(() -> ready().size() >= 2);
    List<Instance> bad = ready().subList(0, 2);
    Instance slow = bad.get(0);
    Instance failing = bad.get(1);
    assertThat(
            Http.send(
                    "POST", "http://127.0.0.1:" + slow.port() + "/_faults/hook/slow", Map.of(), "")
                .status())
        .isEqualTo(200);
    assertThat(
            Http.send(
                    "POST",
                    "http://127.0.0.1:" + failing.port() + "/_faults/hook/fail",
                    Map.of(),
                    "")
                .status())
        .isEqualTo(200);
    // both bad ones are the only ready ones (nothing else is being provisioned: the pool is full)
    assertThat(ready()).extracting(Instance::id).containsExactly(slow.id(), failing.id());

    Http.Answer a = acquire("{\"shop_name\":\"Second Shop\"}");
    assertThat(a.status()).as(a.toString()).isIn(201, 202);
    String token = a.json().path("access_token").asText();
    String rid = a.json().path("request_id").asText();
    if (a.status() == 201) {
      assertThat(a.json().path("id").asText()).isNotIn(slow.id(), failing.id());
    }
    // polled while the hooks run: the visitor is never shown a demo whose hook has not passed
    java.util.Set<String> shown = java.util.concurrent.ConcurrentHashMap.newKeySet();
    String[] demoId = new String[1];
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          Http.Answer s =
              Http.get(
                  stack.url(Service.API_GATEWAY) + "/v1/requests/" + rid,
                  Map.of("Authorization", "Bearer " + token));
          String shownId = s.json().path("demo").path("id").asText("");
          if (!shownId.isEmpty()) {
            shown.add(shownId);
          }
          assertThat(s.json().path("status").asText()).as(s.toString()).isEqualTo("assigned");
          demoId[0] = shownId;
        });
    String id = demoId[0];
    assertThat(shown).containsExactly(id);
    assertThat(id).isNotIn(slow.id(), failing.id());
    Http.Answer page = stack.viaCaddy(id, "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains(id + ".").contains("Second Shop");

    for (Instance gone : bad) {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> {
            Instance i = instance(gone.id());
            assertThat(i.state()).isEqualTo(InstanceState.TERMINATED);
            assertThat(i.lastError()).contains("on-claim hook");
            assertThat(i.ownerTokenHash()).as("never owned by the visitor").isNull();
            assertThat(stack.containers())
                .noneMatch(
                    c -> java.util.Arrays.asList(c.getNames()).toString().contains(gone.id()));
          });
    }
    assertThat(instance(slow.id()).lastError()).contains("no answer within 1500 ms");
    assertThat(instance(failing.id()).lastError()).contains("HTTP 500");

    // counted and visible: the admin API (Valkey, every replica) and the pool's metric
    JsonNode pool = adminPool();
    assertThat(pool.path("hook").asText()).isEqualTo("http");
    assertThat(pool.path("claim_failures").path("discarded").asLong()).isGreaterThanOrEqualTo(2);
    String metrics = Http.get(stack.url(Service.POOL_SERVICE) + "/q/metrics", Map.of()).body();
    assertThat(metrics)
        .containsPattern("trynow_pool_hook_failures_total\\{[^}]*reason=\"timeout\"[^}]*\\} 1\\.0")
        .containsPattern("trynow_pool_hook_failures_total\\{[^}]*reason=\"status\"[^}]*\\} 1\\.0");
  }

  private static JsonNode adminPool() {
    Http.Answer a =
        Http.get(
            stack.managementUrl(Service.API_GATEWAY) + "/admin/pools",
            Map.of("Authorization", "Bearer " + Visitor.ADMIN_KEY));
    assertThat(a.status()).as(a.toString()).isEqualTo(200);
    for (JsonNode p : a.json()) {
      if ("shop".equals(p.path("template").asText())) {
        return p;
      }
    }
    throw new AssertionError("no shop pool in " + a.body());
  }
}
