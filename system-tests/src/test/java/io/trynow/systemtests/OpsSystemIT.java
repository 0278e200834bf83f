package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.testsupport.SampleImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The operator's side against the whole stack: the fleet commands of {@code ./trynow} (tables and
 * {@code --json}, against the stack's management URL) and the dashboard in headless Chromium — log
 * in; pool counts after acquires; a template whose image is missing shows failing and its dead
 * letters appear grouped; after the image is fixed, "replay all matching" leaves healthy instances
 * and an empty group; terminating an instance removes its container and route. Screenshots: {@code
 * system-tests/target/screenshots/ops/}. And monitoring: every metric named in the Grafana
 * dashboard and the alert rules exists in the services' {@code /q/metrics}, and each alert's
 * condition, caused for real, holds on the scraped values ({@link AlertRules}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsSystemIT {

  /**
   * A template whose image is a bad build at first (it starts, but nothing answers its health
   * check: every provision fails and is dead-lettered) until the test tags the sample image in its
   * place — a bad release, then the fix. Its circuit threshold is high, so that the visitor stays
   * queued while the provisions fail.
   */
  private static final String FIXME = "fixme";

  private static final String FIXME_IMAGE =
      "trynow/ops-bad-" + UUID.randomUUID().toString().substring(0, 8) + ":1";

  /** The bad build's image id (dangling once the tag moves to the sample image). */
  private static String badImageId;

  private static Stack stack;
  private static Visitor visitor;
  private static String mgmt;

  @BeforeAll
  static void startStack() throws Exception {
    SampleImage.ensureBuilt();
    Result bad =
        run(
            List.of("docker", "build", "-q", "-t", FIXME_IMAGE, "-"),
            "FROM " + SampleImage.IMAGE + "\nENTRYPOINT [\"/bin/busybox\", \"sleep\", \"600\"]\n");
    assertThat(bad.code()).as(bad.err()).isZero();
    badImageId = bad.out().strip();
    stack =
        Stacks.standard("ops")
            .template(
                FIXME,
                Map.of(
                    "image", FIXME_IMAGE,
                    "health-path", "/healthz",
                    "min-ready", "0",
                    "max-total", "2",
                    "max-in-flight", "1",
                    "health-timeout", "4s",
                    "circuit.failure-threshold", "100"))
            .dockerThroughProxy()
            .start();
    visitor = new Visitor(stack);
    mgmt = stack.managementUrl(Service.API_GATEWAY);
  }

  @AfterAll
  static void stopStack() throws Exception {
    run(List.of("docker", "rmi", FIXME_IMAGE));
    if (badImageId != null && !badImageId.isEmpty()) {
      run(List.of("docker", "rmi", "-f", badImageId));
    }
    if (stack != null) {
      stack.close();
    }
  }

  // ---- the CLI -----------------------------------------------------------------------------

  @Test
  @Order(1)
  void cliShowsPoolsDemosAndDeadLettersAsTablesAndJson() throws Exception {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> stack.store().poolStats("hello").ready() >= 2);
    Visitor.Demo d = visitor.acquire("hello");

    Result help = trynow("help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("pools", "demos", "dlq ls", "dlq replay", "dlq purge", "--json");
    Result typo = trynow("pool");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("unknown command: pool");

    Result pools = trynow("pools");
    assertThat(pools.code()).as(pools.err()).isZero();
    String[] lines = pools.out().split("\n");
    assertThat(lines[0]).startsWith("TEMPLATE").contains("READY", "ASSIGNED", "QUEUED", "FAILED");
    assertThat(row(lines, "hello")).as(pools.out()).isNotNull();
    JsonNode poolsJson = json(trynow("pools", "--json"));
    JsonNode hello = find(poolsJson, "template", "hello");
    assertThat(hello.path("assigned").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(column(lines, "hello", "ASSIGNED")).isEqualTo(hello.path("assigned").asText());

    Result demos = trynow("demos", "--state", "assigned");
    assertThat(demos.code()).as(demos.err()).isZero();
    assertThat(demos.out()).contains("ID", "TEMPLATE", "STATE", d.id());
    JsonNode demosJson = json(trynow("demos", "--state", "assigned", "--json"));
    assertThat(demosJson.findValuesAsText("id")).contains(d.id());
    assertThat(trynow("demos", "--state", "bogus").code()).isEqualTo(1);

    // a dead letter: a malformed provision request, given up by the provisioner
    try (Bus bus = new Bus(stack)) {
      bus.publishRaw("trynow.provision.hello", "cli-junk-" + UUID.randomUUID(), "not json");
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> json(trynow("dlq", "ls", "--json")).size() >= 1);
    JsonNode dl = json(trynow("dlq", "ls", "--subject", "trynow.provision.hello", "--json"));
    long seq = dl.get(0).path("sequence").asLong();
    Result ls = trynow("dlq", "ls", "--since", "1h");
    assertThat(ls.out()).startsWith("SEQ").contains(String.valueOf(seq), "trynow.provision.hello");
    assertThat(trynow("dlq", "groups").out())
        .startsWith("COUNT")
        .contains("trynow.provision.hello");
    assertThat(trynow("dlq", "show", String.valueOf(seq)).out())
        .contains("original subject: trynow.provision.hello", "not json");
    Result purge = trynow("dlq", "purge", "--all-matching", "--subject", "trynow.provision.hello");
    assertThat(purge.out()).contains(String.valueOf(seq), "deleted");
    assertThat(json(trynow("dlq", "ls", "--subject", "trynow.provision.hello", "--json")))
        .isEmpty();
    assertThat(trynow("dlq", "purge", "--all-matching").code()).isEqualTo(1); // needs --all
    visitor.release(d);
  }

  // ---- the dashboard -----------------------------------------------------------------------

  @Test
  @Order(2)
  void dashboardLogInPoolsFailingTemplateReplayAndTerminate() throws Exception {
    Path shots = Path.of("target", "screenshots", "ops").toAbsolutePath();
    try (Browser b = new Browser(shots)) {
      try {
        dashboard(b);
      } catch (Throwable t) {
        b.screenshot("failure");
        throw new AssertionError("dashboard failed; browser console: " + b.console(), t);
      }
    }
  }

  private void dashboard(Browser b) throws Exception {
    var driver = b.driver();
    driver.get(mgmt + "/ops/");
    await().atMost(Duration.ofSeconds(20)).until(() -> visible(b, "#login"));
    b.screenshot("login");
    driver.findElement(By.id("key")).sendKeys("wrong-key");
    driver.findElement(By.id("login-button")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> text(b, "#login-error").contains("not the admin key"));
    driver.findElement(By.id("key")).clear();
    driver.findElement(By.id("key")).sendKeys(Visitor.ADMIN_KEY);
    driver.findElement(By.id("login-button")).click();
    await().atMost(Duration.ofSeconds(20)).until(() -> visible(b, "#app"));

    // the session survives a reload: no key on every page
    driver.navigate().refresh();
    await().atMost(Duration.ofSeconds(20)).until(() -> visible(b, "#app"));

    // pool card after two acquires
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> stack.store().poolStats("hello").ready() >= 2);
    Visitor.Demo one = visitor.acquire("hello");
    Visitor.Demo two = visitor.acquire("hello");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> {
          long assigned = stack.store().poolStats("hello").assigned();
          assertThat(assigned).isGreaterThanOrEqualTo(2);
          assertThat(stat(b, "hello", "assigned")).isEqualTo(String.valueOf(assigned));
          assertThat(stat(b, "hello", "ready"))
              .isEqualTo(String.valueOf(stack.store().poolStats("hello").ready()));
        });
    b.screenshot("pools-after-acquires");

    // a template whose image is missing: a queued visitor, failing provisions, dead letters
    Map<String, List<AlertRules.Sample>> before = scrapeAll();
    Http.Answer queued = visitor.acquireRaw(FIXME);
    assertThat(queued.status()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> health(b, FIXME).equals("failing") && groupCount(b, FIXME) >= 1);
    b.screenshot("failing-template-and-dead-letters");
    // ... which is what three alerts watch: evaluated on the scraped values (the fleet gauges
    // are refreshed every 5 s)
    Map<String, String> fixme = Map.of("template", FIXME, "subject", "trynow.provision." + FIXME);
    AlertRules rules = AlertRules.load();
    for (String alert :
        List.of(
            "TrynowPoolEmptyWithVisitorsQueued",
            "TrynowDeadLettersGrowing",
            "TrynowProvisionFailures")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .alias(alert)
          .until(() -> rules.get(alert).fires(all(before), all(scrapeAll()), fixme));
    }
    assertThat(
            rules
                .get("TrynowPoolEmptyWithVisitorsQueued")
                .fires(null, all(before), Map.of("template", "hello")))
        .as("a pool with ready demos does not fire")
        .isFalse();

    // fix the template (the image now exists), then replay all matching
    run(List.of("docker", "tag", SampleImage.IMAGE, FIXME_IMAGE));
    driver.findElement(By.id("d-subject")).sendKeys("trynow.provision." + FIXME);
    driver.findElement(By.id("replay-matching")).click();
    accept(b);
    await().atMost(Duration.ofSeconds(30)).until(() -> text(b, "#result").startsWith("replay:"));
    b.screenshot("replayed");
    assertThat(text(b, "#result")).containsPattern("\\d+ replayed, \\d+ skipped");
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(() -> {
          var live = new ArrayList<io.trynow.platform.state.Instance>();
          for (InstanceState s : List.of(InstanceState.READY, InstanceState.ASSIGNED)) {
            stack.store().instances(s).stream()
                .filter(i -> i.template().equals(FIXME))
                .forEach(live::add);
          }
          assertThat(live).as("healthy fixme instances").isNotEmpty();
          if (groupCount(b, FIXME) > 0) {
            // a provision that was already failing when the image appeared: replay it too
            driver.findElement(By.id("replay-matching")).click();
            accept(b);
          }
          assertThat(groupCount(b, FIXME)).isZero();
        });
    b.screenshot("healthy-after-replay");

    // terminate one instance from the list
    String victim = one.id();
    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-state")))
        .selectByVisibleText("assigned");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> !driver.findElements(By.cssSelector("tr[data-id='" + victim + "']")).isEmpty());
    driver.findElement(By.cssSelector("tr[data-id='" + victim + "'] button.terminate")).click();
    accept(b);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> {
          assertThat(
                  stack.containers().stream()
                      .filter(
                          c -> c.getLabels().get(io.trynow.model.Labels.INSTANCE).equals(victim)))
              .isEmpty();
          assertThat(stack.routedInstanceIds()).doesNotContain(victim);
        });
    b.screenshot("terminated");
    visitor.release(two);
  }

  // ---- monitoring ---------------------------------------------------------------------------

  @Test
  @Order(3)
  void everyDashboardAndAlertMetricExistsAndTheRemainingAlertsFire() throws Exception {
    // every metric the dashboard and the rules name is served by some service
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> {
          Map<String, List<AlertRules.Sample>> scraped = scrapeAll();
          java.util.Set<String> names = new java.util.TreeSet<>();
          scraped.values().forEach(l -> l.forEach(x -> names.add(x.name())));
          assertThat(names).containsAll(AlertRules.metricsOfDashboard());
          assertThat(names).containsAll(AlertRules.metricsOfRules());
        });
    AlertRules rules = AlertRules.load();

    // a service not ready: the provisioner loses the Docker engine
    Map<String, List<AlertRules.Sample>> before = scrapeAll();
    stack.dockerProxy().cut();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() ->
              rules
                  .get("TrynowServiceNotReady")
                  .fires(
                      before.get("provisioner-worker"),
                      scrapeAll().get("provisioner-worker"),
                      Map.of()));
    } finally {
      stack.dockerProxy().restore();
    }
    assertThat(
            rules
                .get("TrynowServiceNotReady")
                .fires(before.get("pool-service"), before.get("pool-service"), Map.of()))
        .as("a ready service does not fire")
        .isFalse();

    // reap lag: nobody reaps while cleanup-worker is stopped; a 4 s demo expires and waits
    stack.stop(Service.CLEANUP_WORKER);
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> stack.store().poolStats("brief").ready() >= 1);
      Visitor.Demo brief = visitor.acquire("brief");
      assertThat(brief.id()).isNotEmpty();
      assertThat(rules.get("TrynowReapLag").fires(null, scrape(Service.API_GATEWAY), Map.of()))
          .isFalse();
      await()
          .atMost(Duration.ofSeconds(150))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> rules.get("TrynowReapLag").fires(null, scrape(Service.API_GATEWAY), Map.of()));
    } finally {
      stack.start(Service.CLEANUP_WORKER);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> !rules.get("TrynowReapLag").fires(null, scrape(Service.API_GATEWAY), Map.of()));
  }

  /** /q/metrics of every service, parsed, by module name. */
  private static Map<String, List<AlertRules.Sample>> scrapeAll() {
    Map<String, List<AlertRules.Sample>> out = new java.util.HashMap<>();
    for (Service s : Service.values()) {
      out.put(s.module(), scrape(s));
    }
    return out;
  }

  /**
   * /q/metrics of one service, parsed (a scrape that times out on this loaded machine is retried).
   */
  private static List<AlertRules.Sample> scrape(Service s) {
    Http.Answer a = Http.get(stack.managementUrl(s) + "/q/metrics", Map.of());
    for (int i = 0; i < 2 && a.status() == -1; i++) {
      a = Http.get(stack.managementUrl(s) + "/q/metrics", Map.of());
    }
    assertThat(a.status()).as(s.module() + ": " + a.body()).isEqualTo(200);
    return AlertRules.parse(a.body());
  }

  private static List<AlertRules.Sample> all(Map<String, List<AlertRules.Sample>> scraped) {
    List<AlertRules.Sample> l = new ArrayList<>();
    scraped.values().forEach(l::addAll);
    return l;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Accepts the confirmation dialog once it is shown. */
  private static void accept(Browser b) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreException(org.openqa.selenium.NoAlertPresentException.class)
        .until(() -> {
          b.driver().switchTo().alert().accept();
          return true;
        });
  }

  /**
   * Reads the page; the dashboard re-renders every few seconds, so an element found may be gone
   * before it is read: read again.
   */
  private static <T> T read(java.util.function.Supplier<T> read) {
    for (int i = 0; ; i++) {
      try {
        return read.get();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (i == 4) {
          throw e;
        }
      }
    }
  }

  private static boolean visible(Browser b, String css) {
    return read(() -> {
      List<WebElement> e = b.driver().findElements(By.cssSelector(css));
      return !e.isEmpty() && e.get(0).isDisplayed();
    });
  }

  private static String text(Browser b, String css) {
    return read(() -> {
      List<WebElement> e = b.driver().findElements(By.cssSelector(css));
      return e.isEmpty() ? "" : e.get(0).getText();
    });
  }

  private static String stat(Browser b, String template, String name) {
    return text(b, "[data-template='" + template + "'] [data-stat='" + name + "']");
  }

  private static String health(Browser b, String template) {
    return text(b, "[data-template='" + template + "'] [data-health]");
  }

  private static long groupCount(Browser b, String template) {
    return read(() -> {
      long n = 0;
      for (WebElement r :
          b.driver()
              .findElements(
                  By.cssSelector(
                      "#dlq-groups tr[data-subject='trynow.provision." + template + "']"))) {
        n += Long.parseLong(r.findElement(By.cssSelector("[data-count]")).getText());
      }
      return n;
    });
  }

  record Result(int code, String out, String err) {}

  /** Runs {@code ./trynow ARGS --url <the stack's management URL>} with the stack's admin key. */
  private static Result trynow(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(SampleImage.RepoRoot.find().resolve("trynow").toString());
    cmd.addAll(List.of(args));
    if (!args[0].equals("help")) {
      cmd.addAll(List.of("--url", mgmt));
    }
    return run(cmd);
  }

  private static Result run(List<String> cmd) throws Exception {
    return run(cmd, null);
  }

  /** Runs {@code cmd} with {@code stdin} (if not null) as its standard input. */
  private static Result run(List<String> cmd, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TRYNOW_ADMIN_KEY", Visitor.ADMIN_KEY);
    pb.directory(SampleImage.RepoRoot.find().toFile());
    Path out = java.nio.file.Files.createTempFile("trynow-cli-", ".out");
    Path err = java.nio.file.Files.createTempFile("trynow-cli-", ".err");
    Path in = java.nio.file.Files.createTempFile("trynow-cli-", ".in");
    java.nio.file.Files.writeString(in, stdin == null ? "" : stdin);
    Process p =
        pb.redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    Result r =
        new Result(
            p.exitValue(),
            java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
            java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
    java.nio.file.Files.deleteIfExists(out);
    java.nio.file.Files.deleteIfExists(err);
    java.nio.file.Files.deleteIfExists(in);
    return r;
  }

  private static JsonNode json(Result r) {
    assertThat(r.code()).as(r.err()).isZero();
    try {
      return Json.MAPPER.readTree(r.out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.out(), e);
    }
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      if (value.equals(n.path(field).asText())) {
        return n;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  private static String row(String[] lines, String first) {
    for (String l : lines) {
      if (l.split("\\s+")[0].equals(first)) {
        return l;
      }
    }
    return null;
  }

  private static String column(String[] lines, String first, String header) {
    List<String> h = List.of(lines[0].split("\\s+"));
    return row(lines, first).split("\\s+")[h.indexOf(header)];
  }
}
