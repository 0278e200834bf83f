package io.trynow.testsupport;

import java.io.File;
import java.util.Optional;

/**
 * Finds server binaries on PATH. A missing binary is a test failure, never a skip: the harness
 * exists so that every integration test runs against the real thing.
 */
public final class Binaries {

  private Binaries() {}

  /** The first of the names found on PATH, or an error that says how to install it. */
  public static String require(String... names) {
    for (String name : names) {
      Optional<String> found = find(name);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new IllegalStateException(
        "none of "
            + String.join(", ", names)
            + " is on PATH; run ./trynow setup (or ./trynow test) to install the servers");
  }

  public static Optional<String> find(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/sbin:/usr/bin:/usr/local/bin:/sbin:/bin").split(":")) {
      File f = new File(dir, name);
      if (f.isFile() && f.canExecute()) {
        return Optional.of(f.getAbsolutePath());
      }
    }
    return Optional.empty();
  }
}
