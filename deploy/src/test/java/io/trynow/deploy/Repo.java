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
}
