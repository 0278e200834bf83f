package io.trynow.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the deploy artefacts, found from the working directory (module or repository root). */
final class Repo {

  private Repo() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isRegularFile(p.resolve("trynow")) && Files.isDirectory(p.resolve("deploy/helm"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("repository root (with ./trynow and deploy/helm) not found");
  }

  static Path chart() {
    return root().resolve("deploy/helm/trynow");
  }

  static Path productionValues() {
    return root().resolve("deploy/helm/examples/production-values.yaml");
  }

  static Path composeFile() {
    return root().resolve("docker-compose.yml");
  }

  static Path dockerfile() {
    return root().resolve("deploy/docker/Dockerfile.jvm");
  }

  /**
   * Each service's own JVM options ({@code deploy/jvm-options.properties}, the one place they are
   * written): what {@code build-images.sh} passes as the image's {@code JVM_OPTS} build argument
   * and {@code ./trynow up} adds after the common options; empty for a service without any.
   */
  static String jvmOptions(String service) {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(root().resolve("deploy/jvm-options.properties"))) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (!p.containsKey(service)) {
      throw new IllegalStateException(service + " is missing in deploy/jvm-options.properties");
    }
    return p.getProperty(service).strip();
  }
}
