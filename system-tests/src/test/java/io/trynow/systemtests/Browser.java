package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (nothing is downloaded): a fresh
 * profile per instance, screenshots under {@code target/screenshots/}, and every URL the browser
 * requested (from the performance log) kept for the "no token in a URL" check.
 */
final class Browser implements AutoCloseable {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final Path profile;
  private final ChromeDriver driver;
  private final Path screenshots;
  private final List<String> urls = new ArrayList<>();
  private final List<String> console = new ArrayList<>();
  private int shot;

  Browser(Path screenshots) {
    for (String bin : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(bin))) {
        throw new IllegalStateException(
            bin + " is missing: install chromium and chromium-driver (./trynow test does)");
      }
    }
    this.screenshots = screenshots;
    try {
      Files.createDirectories(screenshots);
      this.profile = Files.createTempDirectory("trynow-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    this.driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
  }

  ChromeDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  String url() {
    return driver.getCurrentUrl();
  }

  /** The shadow root of {@code <trynow-button id=...>} on the current page. */
  SearchContext button(String id) {
    return driver.findElement(By.id(id)).getShadowRoot();
  }

  WebElement part(String buttonId, String part) {
    return button(buttonId).findElement(By.cssSelector("[part=" + part + "]"));
  }

  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  /** Saves a screenshot as {@code target/screenshots/NN-name.png}; returns its path. */
  Path screenshot(String name) {
    File f = driver.getScreenshotAs(OutputType.FILE);
    Path to = screenshots.resolve(String.format("%02d-%s.png", ++shot, name));
    try {
      Files.copy(f.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /**
   * Drains the performance and console logs: every URL requested so far (documents, frames,
   * fetches, EventSource, scripts) and every console line.
   */
  synchronized void drainLogs() {
    for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
      try {
        JsonNode m = Json.MAPPER.readTree(e.getMessage()).path("message");
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        if (method.equals("Network.requestWillBeSent")) {
          urls.add(p.path("request").path("url").asText());
          if (p.hasNonNull("documentURL")) {
            urls.add(p.path("documentURL").asText());
          }
        } else if (method.equals("Page.frameNavigated")) {
          urls.add(p.path("frame").path("url").asText());
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      console.add(e.getMessage());
    }
  }

  synchronized List<String> urls() {
    drainLogs();
    return List.copyOf(urls);
  }

  synchronized List<String> console() {
    drainLogs();
    return List.copyOf(console);
  }

  /** This tab's sessionStorage as a map (of the current page's origin). */
  @SuppressWarnings("unchecked")
  Map<String, String> sessionStorage() {
    return (Map<String, String>)
        driver.executeScript(
            "const o = {}; for (let i = 0; i < sessionStorage.length; i++) {"
                + " const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o;");
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temp profile is harmless
      }
    }
  }
}
