package io.trynow.bench;

import io.trynow.testsupport.SampleImage;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Startup and memory of the five services on the whole local stack: all five started together by
 * {@code ./trynow up}; then each alone (stopped and started again with the very command line and
 * environment {@code up} gave it) until {@code /q/health/ready}; then each alone again with a JDK
 * AOT cache ({@code -XX:AOTCache}, JEP 483/514: classes loaded and linked, and method profiles,
 * recorded by one training run with {@code -XX:AOTCacheOutput}). RSS idle after each.
 *
 * <p>{@code ./trynow bench startup}
 */
public final class StartupBench {

  public static void main(String[] args) throws Exception {
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = HttpClient.newHttpClient();
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      System.out.printf("startup bench (load %s)%n", LocalStack.load());
      double all = stack.up(Map.of());
      System.out.printf(
          "all five together: ./trynow up until every service is ready: %.1f s (load %s)%n",
          all, LocalStack.load());
      Thread.sleep(10_000);
      System.out.println("RSS MB idle, all five: " + stack.rssMb());
      Path aotDir = Files.createDirectories(root.resolve("bench/target/aot"));
      Map<String, double[]> results = new LinkedHashMap<>();
      for (int i = 0; i < LocalStack.SERVICES.size(); i++) {
        String s = LocalStack.SERVICES.get(i);
        int port = 8080 + stack.offset() + i;
        Path aot = aotDir.resolve(s + ".aot");
        Files.deleteIfExists(aot);
        double plain = restart(stack, http, s, port, List.of());
        long rssPlain = stack.rssMb().getOrDefault(s, -1L);
        restart(stack, http, s, port, List.of("-XX:AOTCacheOutput=" + aot));
        Thread.sleep(3000); // a little traffic-free run time for the profile
        double cached = restart(stack, http, s, port, List.of("-XX:AOTCache=" + aot));
        long rssCached = stack.rssMb().getOrDefault(s, -1L);
        results.put(s, new double[] {plain, cached, rssPlain, rssCached});
        System.out.printf(
            "%-20s alone: %5.2f s   with AOT cache: %5.2f s   RSS %d MB / %d MB   (load %s)%n",
            s, plain, cached, rssPlain, rssCached, LocalStack.load());
      }
      System.out.println("RSS MB idle after the restarts: " + stack.rssMb());
    }
  }

  /**
   * Stops {@code service} (SIGTERM, waits for its exit) and starts it again with the same command
   * line and environment plus {@code extra} JVM options; returns the seconds until ready.
   */
  static double restart(
      LocalStack stack, HttpClient http, String service, int port, List<String> extra)
      throws Exception {
    Path pidFile = stack.root.resolve(".trynow/pids/" + service + ".pid");
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    List<String> cmd = nulSeparated(Path.of("/proc/" + pid + "/cmdline"));
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : nulSeparated(Path.of("/proc/" + pid + "/environ"))) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    ProcessHandle old = ProcessHandle.of(pid).orElseThrow();
    old.destroy();
    old.onExit().get();
    List<String> next = new ArrayList<>();
    next.add(cmd.getFirst());
    next.addAll(extra);
    for (String a : cmd.subList(1, cmd.size())) {
      if (!a.startsWith("-XX:AOTCache")) {
        next.add(a);
      }
    }
    ProcessBuilder pb = new ProcessBuilder(next).directory(stack.root.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    File log = stack.root.resolve(".trynow/logs/" + service + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    long t0 = System.nanoTime();
    Process p = pb.start();
    Files.writeString(pidFile, p.pid() + "\n");
    HttpRequest ready =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + LocalStack.healthPort(service, port) + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException(service + " exited; see " + log);
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - t0) / 1e9;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
  }

  private static List<String> nulSeparated(Path p) throws java.io.IOException {
    String s = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    return new ArrayList<>(Arrays.asList(s.split("\0")));
  }
}
