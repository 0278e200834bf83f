package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.platform.state.RateLimitResult;
import io.trynow.testsupport.SampleImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * "Try it now" in a real browser: Debian's headless Chromium against the whole stack (the five
 * services as processes on real NATS, Valkey, Caddy and Docker). The product's site is a static
 * page on another origin ({@code http://127.0.0.2:<port>}) that embeds the button with one script
 * tag from the gateway ({@code http://127.0.0.1:<port>}); a second site ({@code 127.0.0.3}) is not
 * on the gateway's allow-list. Every step saves a screenshot under {@code
 * target/screenshots/browser/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserSystemIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern DEMO_PAGE = Pattern.compile("/demo/(i[a-z2-7]{19})$");
  private static final String SAMPLE = "trynow sample demo";

  /** The product's site: its buttons by id → template. */
  private static final Map<String, String> BUTTONS = new LinkedHashMap<>();

  static {
    BUTTONS.put("hello", "hello");
    BUTTONS.put("brief", "brief");
    BUTTONS.put("solo", "solo");
    BUTTONS.put("full", "full");
    BUTTONS.put("nope", "nope");
  }

  private static HostPage site;
  private static HostPage stranger;
  private static Stack stack;
  private static Browser browser;
  private static Visitor visitor;
  private static String gateway;

  /** Every access token the browser or the test held: none may appear in a URL or a log. */
  private static final Set<String> tokens = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    site = new HostPage("127.0.0.2", BUTTONS);
    stranger = new HostPage("127.0.0.3", BUTTONS);
    String image = SampleImage.IMAGE;
    stack =
        Stacks.base("browser")
            .template("hello", template(image, "2", "4", "10m", "5m", "30m", "100"))
            // 60 s to live, the warning at 45 s left, two 1-minute extends reach the 150 s cap
            .template("brief", template(image, "1", "2", "60s", "1m", "150s", "100"))
            // one instance at most: a second visitor waits in line
            .template("solo", template(image, "1", "1", "10m", "5m", "30m", "100"))
            // nothing warm and no queue: every acquire is 503
            .template("full", template(image, "0", "1", "10m", "5m", "30m", "0"))
            .property(Service.API_GATEWAY, "trynow.gateway.cors.allowed-origins", site.origin())
            .property(Service.API_GATEWAY, "trynow.gateway.expiring-warning", "45s")
            .property(Service.API_GATEWAY, "trynow.gateway.acquires-per-hour", "60")
            .property(Service.API_GATEWAY, "trynow.gateway.sse-max-per-ip", "20")
            .start();
    gateway = stack.url(Service.API_GATEWAY);
    site.embed(gateway);
    stranger.embed(gateway);
    visitor = new Visitor(stack);
    browser = new Browser(Path.of("target", "screenshots", "browser").toAbsolutePath());
  }

  private static Map<String, String> template(
      String image,
      String minReady,
      String maxTotal,
      String ttl,
      String step,
      String maxLifetime,
      String maxQueue) {
    return Map.of(
        "image", image,
        "health-path", "/healthz",
        "min-ready", minReady,
        "max-total", maxTotal,
        "max-in-flight", "1",
        "default-ttl", ttl,
        "extend-step", step,
        "max-lifetime", maxLifetime,
        "max-queue", maxQueue,
        "health-timeout", "20s");
  }

  @AfterEach
  void drain() {
    browser.drainLogs();
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      try {
        if (stack != null) {
          stack.close();
        }
      } finally {
        site.close();
        stranger.close();
      }
    }
  }

  // ---- the steps --------------------------------------------------------------------------------

  @Test
  @Order(1)
  void warmClickOpensTheDemoPageWithTheSamplesContent() {
    awaitReady("hello", 1);
    browser.open(site.origin() + "/");
    browser.screenshot("host-page");

    browser.part("hello", "button").sendKeys(Keys.ENTER); // keyboard: focus + Enter

    String id = awaitDemoPage();
    assertThat(frameText()).contains(SAMPLE);
    assertThat(countdownSeconds()).isBetween(1, 600);
    keepToken(id);
    browser.screenshot("warm-demo-page");
  }

  @Test
  @Order(2)
  void emptyPoolShowsTheWaitingRoomWhosePositionFallsThenOpensTheDemo() {
    awaitReady("solo", 1);
    Visitor.Demo holder = visitor.acquire("solo"); // the only solo instance
    tokens.add(holder.token());
    Http.Answer first = visitor.acquireRaw("solo"); // first in line
    assertThat(first.status()).as(first.toString()).isEqualTo(202);
    String firstRid = first.json().path("request_id").asText();
    String firstToken = first.json().path("access_token").asText();
    tokens.add(firstToken);

    browser.open(site.origin() + "/");
    click("solo");

    WebElement position = browser.part("solo", "position");
    untilAsserted(() -> assertThat(position.getText()).contains("You are number 2 in line"));
    assertThat(position.getAttribute("aria-live")).isEqualTo("polite");
    assertThat(browser.part("solo", "cancel").isDisplayed()).isTrue();
    browser.screenshot("waiting-room-position-2");

    assertThat(visitor.release(holder).status()).isEqualTo(202);
    untilAsserted(() -> assertThat(position.getText()).contains("You are number 1 in line"));
    browser.screenshot("waiting-room-position-1");

    // the first in line got the new instance; when they are done, the next one is ours
    JsonNode firstDemo = awaitAssigned(firstRid, firstToken);
    Http.Answer released =
        Http.send(
            "DELETE",
            gateway + "/v1/demos/" + firstDemo.path("id").asText(),
            Map.of("Authorization", "Bearer " + firstToken),
            null);
    assertThat(released.status()).as(released.toString()).isEqualTo(202);

    String id = awaitDemoPage();
    assertThat(frameText()).contains(SAMPLE);
    keepToken(id);
    browser.screenshot("waiting-room-demo-opened");
  }

  @Test
  @Order(3)
  void cancelLeavesTheQueue() {
    // solo's only instance is the browser's demo from the step before: a new click waits
    browser.open(site.origin() + "/");
    click("solo");
    untilAsserted(
        () -> assertThat(browser.part("solo", "position").getText()).contains("number 1"));
    assertThat(stack.store().poolStats("solo").waiting()).isEqualTo(1);

    browser.part("solo", "cancel").click();

    untilAsserted(() -> assertThat(browser.part("solo", "msg").getText()).isEqualTo("Cancelled."));
    untilAsserted(() -> assertThat(stack.store().poolStats("solo").waiting()).isZero());
    assertThat(browser.part("solo", "room").isDisplayed()).isFalse();
    browser.screenshot("waiting-room-cancelled");
  }

  @Test
  @Order(4)
  void demoBarCountsDownWarnsBeforeExpiryExtendsAndStopsAtTheLifetimeCap() {
    awaitReady("brief", 1);
    browser.open(site.origin() + "/");
    click("brief");
    String id = awaitDemoPage();
    String token = keepToken(id);
    WebElement bar = browser.driver().findElement(By.id("bar"));
    WebElement extend = browser.driver().findElement(By.id("extend"));

    int start = countdownSeconds();
    untilAsserted(() -> assertThat(countdownSeconds()).isLessThan(start));
    if (start > 47) {
      assertThat(bar.getAttribute("data-state")).isEqualTo("live");
      assertThat(browser.driver().findElement(By.id("warning")).isDisplayed()).isFalse();
    }
    browser.screenshot("demo-bar-counting-down");

    untilAsserted(() -> {
      assertThat(bar.getAttribute("data-state")).isEqualTo("expiring");
      assertThat(browser.driver().findElement(By.id("warning")).getText())
          .contains("Your demo ends in less than");
    });
    browser.screenshot("demo-bar-expiring-warning");

    int beforeExtend = countdownSeconds();
    extend.click();
    untilAsserted(() -> assertThat(countdownSeconds()).isGreaterThan(beforeExtend + 40));
    assertThat(bar.getAttribute("data-state")).isEqualTo("live");
    assertThat(extend.isEnabled()).as("below the cap, Extend stays available").isTrue();
    browser.screenshot("demo-bar-extended");

    extend.click(); // this one reaches the 150 s lifetime cap
    untilAsserted(() -> {
      assertThat(extend.isEnabled()).isFalse();
      assertThat(browser.driver().findElement(By.id("cap")).getText())
          .contains("Extend is not available")
          .contains("maximum lifetime");
    });
    JsonNode demo =
        Http.get(gateway + "/v1/demos/" + id, Map.of("Authorization", "Bearer " + token)).json();
    assertThat(demo.path("expires_at").asText()).isEqualTo(demo.path("max_expires_at").asText());
    browser.screenshot("demo-bar-at-lifetime-cap");
  }

  @Test
  @Order(5)
  void endDemoShowsTheEndedPageOnTheDemoHostWithAWorkingStartAnotherLink() {
    awaitReady("hello", 1);
    browser.open(site.origin() + "/");
    click("hello");
    String id = awaitDemoPage();
    keepToken(id);

    browser.driver().findElement(By.id("end")).click();

    untilAsserted(() -> assertThat(browser.url()).startsWith("http://" + id + ".demo.localhost:"));
    untilAsserted(() -> {
      if (!"ended".equals(demoState())) {
        browser.driver().navigate().refresh(); // the route may outlive the click by a moment
      }
      assertThat(demoState()).isEqualTo("ended");
    });
    assertThat(browser.driver().findElement(By.tagName("h1")).getText())
        .isEqualTo("This demo has ended");
    assertThat(stack.viaCaddy(id, "/").status()).as("known-ended demo host").isEqualTo(410);
    browser.screenshot("demo-ended-page");

    browser.driver().findElement(By.id("start-another")).click();
    untilAsserted(() -> assertThat(browser.url()).isEqualTo(gateway + "/try/hello"));
    browser.screenshot("try-page");
    awaitReady("hello", 1);
    click("try");
    String next = awaitDemoPage();
    assertThat(next).isNotEqualTo(id);
    assertThat(frameText()).contains(SAMPLE);
    keepToken(next);
    browser.screenshot("try-page-demo-opened");
  }

  @Test
  @Order(6)
  void unknownTemplateBusyPoolAndRateLimitAreExplained() {
    browser.open(site.origin() + "/");
    click("nope");
    untilAsserted(() -> assertThat(message("nope")).isEqualTo("This demo is not available."));

    click("full");
    untilAsserted(() ->
        assertThat(message("full"))
            .startsWith("All demos are busy right now. Please try again in"));
    browser.screenshot("unknown-template-and-busy");

    // use up the browser's (127.0.0.1) hourly budget through the real rate_limit function
    List<Object[]> counted = new ArrayList<>();
    try {
      while (true) {
        String rid = io.trynow.model.Ids.newRequestId();
        Instant at = Instant.now();
        if (stack.store().limits().rateLimit("127.0.0.1", rid, 60, 10_000)
            instanceof RateLimitResult.Limited) {
          break;
        }
        counted.add(new Object[] {rid, at});
      }
      click("hello");
      untilAsserted(() ->
          assertThat(message("hello"))
              .startsWith("Too many demos were started from your network. Please try again in"));
      browser.screenshot("rate-limited");
    } finally {
      for (Object[] c : counted) {
        stack.store().limits().rateLimitRefund("127.0.0.1", (String) c[0], (Instant) c[1]);
      }
    }
  }

  @Test
  @Order(7)
  void aSiteNotOnTheAllowListIsRefusedByTheBrowserAndStartsNothing() {
    awaitReady("hello", 1);
    long assigned = stack.store().poolStats("hello").assigned();
    browser.open(stranger.origin() + "/");
    click("hello");

    untilAsserted(() ->
        assertThat(message("hello"))
            .isEqualTo(
                "The demo service cannot be reached from this page. Please try again later."));
    browser.screenshot("origin-not-allowed");
    assertThat(browser.console()).anyMatch(l -> l.contains("CORS"));
    assertThat(stack.store().poolStats("hello").assigned()).isEqualTo(assigned);

    // what the browser saw, as plain HTTP: the preflight is refused, the allowed site's is not
    Http.Answer refused = preflight(stranger.origin());
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.headers()).doesNotContainKey("access-control-allow-origin");
    Http.Answer allowed = preflight(site.origin());
    assertThat(allowed.status()).isEqualTo(204);
    assertThat(allowed.headers().get("access-control-allow-origin")).containsExactly(site.origin());
    assertThat(allowed.headers().get("access-control-allow-headers").getFirst())
        .contains("Idempotency-Key");
    // a script that skips the preflight changes nothing either
    Http.Answer post =
        Http.send(
            "POST",
            gateway + "/v1/demos",
            Map.of("Origin", stranger.origin()),
            "{\"template\":\"hello\"}");
    assertThat(post.status()).isEqualTo(403);
    assertThat(stack.store().poolStats("hello").assigned()).isEqualTo(assigned);
  }

  @Test
  @Order(8)
  void noAccessTokenInAnyUrlTheBrowserLoadedNorInAnyServiceLog() throws Exception {
    List<String> urls = browser.urls();
    assertThat(tokens).hasSizeGreaterThanOrEqualTo(5);
    assertThat(urls)
        .as("the log saw the button's calls, the ticketed stream and the demo itself")
        .anyMatch(u -> u.endsWith("/v1/demos"))
        .anyMatch(u -> u.contains("/events?ticket="))
        .anyMatch(u -> u.contains(".demo.localhost:"));
    for (String token : tokens) {
      assertThat(urls).noneMatch(u -> u.contains(token));
      for (Service s : Service.values()) {
        assertThat(Files.readString(stack.log(s))).as("%s log", s.module()).doesNotContain(token);
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static ConditionFactory waiting() {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions();
  }

  private static void untilAsserted(org.awaitility.core.ThrowingRunnable r) {
    waiting().untilAsserted(r);
  }

  private static void awaitReady(String template, long n) {
    untilAsserted(() -> assertThat(stack.store().readyCount(template)).isGreaterThanOrEqualTo(n));
  }

  /** Waits for the demo page on the gateway; returns the demo id. */
  private static String awaitDemoPage() {
    String[] id = new String[1];
    untilAsserted(() -> {
      String url = browser.url();
      assertThat(url).startsWith(gateway + "/demo/");
      Matcher m = DEMO_PAGE.matcher(url);
      assertThat(m.find()).as(url).isTrue();
      id[0] = m.group(1);
    });
    untilAsserted(() ->
        assertThat(browser.driver().findElement(By.id("demo")).getAttribute("src"))
            .startsWith("http://" + id[0] + ".demo.localhost:"));
    return id[0];
  }

  /** The text of the demo shown in the demo page's frame. */
  private static String frameText() {
    String[] text = new String[1];
    untilAsserted(() -> {
      try {
        browser.driver().switchTo().frame(browser.driver().findElement(By.id("demo")));
        text[0] = browser.driver().findElement(By.tagName("body")).getText();
      } finally {
        browser.driver().switchTo().defaultContent();
      }
      assertThat(text[0]).contains(SAMPLE);
    });
    return text[0];
  }

  /** The demo page's countdown ("m:ss") in seconds. */
  private static int countdownSeconds() {
    String t = browser.driver().findElement(By.id("countdown")).getText();
    String[] p = t.split(":");
    return Integer.parseInt(p[0]) * 60 + Integer.parseInt(p[1]);
  }

  /** The token of the demo page's tab (sessionStorage), remembered for the leak checks. */
  private static String keepToken(String id) {
    String token = browser.sessionStorage().get("trynow.token." + id);
    assertThat(token).as("token in sessionStorage").matches("[A-Za-z0-9_-]{43}");
    assertThat(browser.url()).doesNotContain(token);
    tokens.add(token);
    return token;
  }

  /** A pointer click on a button's label (the element's slotted text), as a visitor clicks. */
  private static void click(String button) {
    browser.driver().findElement(By.id(button)).click();
  }

  private static String message(String button) {
    return browser.part(button, "msg").getText();
  }

  private static String demoState() {
    return browser.driver().findElement(By.tagName("body")).getAttribute("data-demo-state");
  }

  private static JsonNode awaitAssigned(String rid, String token) {
    JsonNode[] demo = new JsonNode[1];
    untilAsserted(() -> {
      JsonNode r =
          Http.get(gateway + "/v1/requests/" + rid, Map.of("Authorization", "Bearer " + token))
              .json();
      assertThat(r.path("status").asText()).isEqualTo("assigned");
      demo[0] = r.path("demo");
    });
    return demo[0];
  }

  private static Http.Answer preflight(String origin) {
    return Http.send(
        "OPTIONS",
        gateway + "/v1/demos",
        Map.of(
            "Origin", origin,
            "Access-Control-Request-Method", "POST",
            "Access-Control-Request-Headers", "content-type,idempotency-key"),
        null);
  }
}
