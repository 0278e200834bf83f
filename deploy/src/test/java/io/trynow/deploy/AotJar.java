package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the images, the chart's pods and Compose run: a service's {@code target/quarkus-app} as
 * Quarkus's aot-jar packaging leaves it ({@code quarkus.package.jar.type} in the root pom). {@code
 * quarkus-run.jar} is a manifest only: its {@code Class-Path} names the generated and transformed
 * bytecode, the service's own jar and every library, so they load through the JVM's application
 * class loader, whose classes and lambdas a JDK AOT cache holds and links ahead (fast-jar loads
 * them through Quarkus's {@code RunnerClassLoader}: the cache held them unlinked and none of their
 * lambdas). README "Startup and memory".
 */
final class AotJar {

  static final String ENTRY_POINT = "io.quarkus.bootstrap.runner.AotQuarkusEntryPoint";

  private AotJar() {}

  /** The built {@code <service>/target/quarkus-app}, checked to be an aot-jar. */
  static Path app(String service) {
    Path app = Repo.root().resolve(service + "/target/quarkus-app");
    check(app, service);
    return app;
  }

  /**
   * Fails unless {@code app}'s {@code quarkus-run.jar} starts the aot-jar entry point and its class
   * path names the service's own jar and libraries, all present beside it.
   */
  static void check(Path app, String service) {
    Path jar = app.resolve("quarkus-run.jar");
    assertThat(jar)
        .as(service + ": build it first (./mvnw -B -DskipTests package)")
        .isRegularFile();
    Manifest manifest;
    try (JarFile file = new JarFile(jar.toFile())) {
      manifest = file.getManifest();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(manifest.getMainAttributes().getValue("Main-Class"))
        .as(service + "'s quarkus-run.jar (fast-jar's is QuarkusEntryPoint)")
        .isEqualTo(ENTRY_POINT);
    List<String> classPath =
        Arrays.asList(manifest.getMainAttributes().getValue("Class-Path").split(" "));
    assertThat(classPath)
        .as(service + "'s class path")
        .anyMatch(e -> e.startsWith("app/" + service + "-") && e.endsWith(".jar"))
        .anyMatch(e -> e.startsWith("lib/main/"))
        .contains("quarkus/generated-bytecode.jar")
        .allMatch(e -> Files.isRegularFile(app.resolve(e)), "present in " + app);
  }
}
