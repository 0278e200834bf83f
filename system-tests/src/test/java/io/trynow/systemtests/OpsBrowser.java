package io.trynow.systemtests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through Debian's chromedriver (nothing downloaded), a fresh profile,
 * screenshots under {@code target/screenshots/ops/}.
 */
final class OpsBrowser implements AutoCloseable {

  private final Path profile;
  private final Path screenshots;
  private final ChromeDriver driver;
  private int shot;

  OpsBrowser(Path screenshots) {
    for (String bin : List.of("/usr/bin/chromium", "/usr/bin/chromedriver")) {
      if (!Files.isExecutable(Path.of(bin))) {
        throw new IllegalStateException(
            bin + " is missing: install chromium and chromium-driver (./trynow test does)");
      }
    }
    this.screenshots = screenshots;
    try {
      Files.createDirectories(screenshots);
      this.profile = Files.createTempDirectory("trynow-ops-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    this.driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Saves {@code target/screenshots/ops/NN-name.png}. */
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
