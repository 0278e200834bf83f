package io.trynow.platform.failpoint;

import java.util.List;

/**
 * Failpoints (fault injection that crash tests switch on, e.g. a pause in exactly the window a test
 * kills a process in) are refused in production: a service whose active profiles include {@code
 * prod} (the default of a packaged jar) and that has a failpoint set fails startup naming the key.
 * Tests run the service in the {@code test} profile ({@code @QuarkusTest}) or, for a packaged jar,
 * in the {@link #PROFILE} profile ({@code -Dquarkus.profile=failpoints}), which carries no settings
 * of its own.
 */
public final class Failpoints {

  /** The profile a test runs a packaged service in to switch a failpoint on. */
  public static final String PROFILE = "failpoints";

  private Failpoints() {}

  /**
   * Refuses failpoint {@code key} when it is set and {@code profiles} (the active configuration
   * profiles) include {@code prod}.
   *
   * @throws IllegalArgumentException naming the key
   */
  public static void refuseInProd(String key, boolean set, List<String> profiles) {
    if (set && profiles.contains("prod")) {
      throw new IllegalArgumentException(
          key
              + ": a failpoint (fault injection for tests) is refused in the prod profile; tests"
              + " run the service with quarkus.profile="
              + PROFILE
              + " or test");
    }
  }
}
