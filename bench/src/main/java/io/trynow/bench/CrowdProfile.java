package io.trynow.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code TRYNOW_BENCH_JFR=DIR}: a JFR recording of each service over the crowd only ({@code jcmd
 * <pid> JFR.start} right before the first click, {@code JFR.dump} to {@code DIR/<service>.jfr}
 * right after the last visitor's page), so the profile shows where the stack's CPU goes during the
 * crowd, not the services' start and fill. The {@code jcmd} calls run outside the crowd's window;
 * the recording itself costs the services a little CPU (settings {@code profile}).
 */
final class CrowdProfile {

  private static final String NAME = "crowd";

  private final Path dir;
  private final Map<String, String> pids;

  private CrowdProfile(Path dir, Map<String, String> pids) {
    this.dir = dir;
    this.pids = pids;
  }

  /** Starts a recording in every service when {@code dir} is set; otherwise does nothing. */
  static CrowdProfile start(String dir, Map<String, String> pids) throws Exception {
    if (dir == null || dir.isBlank()) {
      return new CrowdProfile(null, Map.of());
    }
    Path out = Files.createDirectories(Path.of(dir).toAbsolutePath());
    System.out.println("JFR over the crowd, service pids: " + pids);
    Map<String, String> recording = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : pids.entrySet()) {
      try {
        jcmd(
            e.getValue(),
            "JFR.start",
            "name=" + NAME,
            "settings=profile",
            "jdk.Compilation#threshold=0ms");
        recording.put(e.getKey(), e.getValue());
      } catch (Exception ex) {
        // e.g. a JVM recording its AOT cache, where the JDK refuses JFR
        System.out.println("JFR not started in " + e.getKey() + ": " + ex.getMessage());
      }
    }
    return new CrowdProfile(out, recording);
  }

  /** Writes each service's recording to {@code DIR/<service>.jfr} and stops it. */
  void dump() {
    if (dir == null) {
      return;
    }
    for (Map.Entry<String, String> e : pids.entrySet()) {
      Path file = dir.resolve(e.getKey() + ".jfr");
      try {
        jcmd(e.getValue(), "JFR.dump", "name=" + NAME, "filename=" + file);
        jcmd(e.getValue(), "JFR.stop", "name=" + NAME);
        System.out.println("JFR of " + e.getKey() + ": " + file);
      } catch (Exception ex) {
        System.out.println("JFR of " + e.getKey() + " not written: " + ex.getMessage());
      }
    }
  }

  private static void jcmd(String pid, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(pid);
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true)
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }
}
