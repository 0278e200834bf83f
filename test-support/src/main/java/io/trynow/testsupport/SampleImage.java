package io.trynow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The sample demo image ({@code FROM scratch} + static busybox httpd), built from {@code
 * samples/hello} by its own build script — the same one ./trynow up uses — so no registry is
 * involved. It serves {@code /} and {@code /healthz} on 127.0.0.1:$PORT with host networking.
 */
public final class SampleImage {

  /** Pinned tag; never {@code latest}. */
  public static final String IMAGE = "trynow/sample-hello:1";

  public static final String HEALTH_PATH = "/healthz";

  /**
   * Environment variable naming extra config files of a packaged service (Quarkus' {@code
   * quarkus.config.locations}).
   */
  public static final String CONFIG_LOCATIONS = "QUARKUS_CONFIG_LOCATIONS";

  /** The {@code shop} sample (samples/shop): a Java app with SQLite and an on-claim hook. */
  public static final String SHOP_IMAGE = "trynow/sample-shop:1";

  private static final java.util.Set<String> BUILT = new java.util.HashSet<>();

  private SampleImage() {}

  /** Builds the image once per JVM (docker's layer cache makes repeats cheap). */
  public static String ensureBuilt() {
    return ensureBuilt("hello", IMAGE);
  }

  /**
   * Builds the image of {@code samples/<sample>} with its own build script (the one ./trynow up
   * uses) once per JVM. The {@code shop} sample needs its jar: a module that uses it depends on
   * {@code sample-shop}, so that the reactor packages it first.
   */
  public static synchronized String ensureBuilt(String sample, String image) {
    if (!BUILT.contains(image)) {
      Path script = RepoRoot.find().resolve("samples/" + sample + "/build.sh");
      try {
        Process p =
            new ProcessBuilder("bash", script.toString(), image).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("building " + image + " failed:\n" + out);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot run " + script, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      BUILT.add(image);
    }
    return image;
  }

  /**
   * {@code samples/hello/template.properties}: the sample template's settings. No production
   * default has them: a packaged service (prod profile) that should serve {@code hello} is given
   * this file in {@link #CONFIG_LOCATIONS}, as {@code ./trynow up} does.
   */
  public static Path templateFile() {
    return RepoRoot.find().resolve("samples/hello/template.properties");
  }

  /** Locates the repository root: the first parent that holds the {@code trynow} script. */
  public static final class RepoRoot {
    private RepoRoot() {}

    public static Path find() {
      Path p = Path.of("").toAbsolutePath();
      while (p != null) {
        if (Files.isRegularFile(p.resolve("trynow")) && Files.isDirectory(p.resolve("samples"))) {
          return p;
        }
        p = p.getParent();
      }
      throw new IllegalStateException("repository root (with ./trynow) not found above cwd");
    }
  }
}
