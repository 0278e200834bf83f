package io.trynow.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * One Compose project run for real with Debian's {@code docker-compose} (v1.29): the repository's
 * docker-compose.yml made host-networked ({@link #hostNetworked}), an override file and an env file
 * of the test's own, a unique project name. Every command and its output is appended to {@code
 * <dir>/compose.log}; the operator's environment ({@code TRYNOW_*}, {@code COMPOSE_*}, {@code
 * DOCKER_GID}, a {@code .env} in the repository) never reaches it.
 */
final class ComposeProject {

  private final String name;
  private final Path dir;
  private final List<Path> files;
  private final Path envFile;
  private final Path log;

  ComposeProject(String name, Path dir, List<Path> files, Path envFile) {
    this.name = name;
    this.dir = dir;
    this.files = List.copyOf(files);
    this.envFile = envFile;
    this.log = dir.resolve("compose.log");
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  /** {@code docker-compose -p NAME --project-directory ROOT --env-file E -f ... ARGS}. */
  String compose(Duration timeout, String... args) {
    List<String> command =
        new ArrayList<>(List.of("docker-compose", "--ansi", "never", "-p", name));
    command.addAll(List.of("--project-directory", Repo.root().toString()));
    command.addAll(List.of("--env-file", envFile.toString()));
    for (Path f : files) {
      command.addAll(List.of("-f", f.toString()));
    }
    command.addAll(List.of(args));
    return run(timeout, command);
  }

  /** Any other command (docker ...), logged the same way. */
  String run(Duration timeout, List<String> command) {
    return exec(dir, timeout, command);
  }

  /** {@code bash SCRIPT ARGS} in {@code dir}, logged to {@code dir/compose.log}. */
  static String runScript(Path dir, Path script, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    return exec(dir, Duration.ofMinutes(5), command);
  }

  private static String exec(Path dir, Duration timeout, List<String> command) {
    Path log = dir.resolve("compose.log");
    try {
      Path out = Files.createTempFile(dir, "cmd-", ".out");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      pb.environment()
          .keySet()
          .removeIf(
              k -> k.startsWith("TRYNOW_") || k.startsWith("COMPOSE_") || k.equals("DOCKER_GID"));
      long start = System.nanoTime();
      Process p = pb.start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(out);
      Files.delete(out);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String result = done ? "exit " + p.exitValue() : "timed out after " + timeout;
      Files.writeString(
          log,
          "$ " + String.join(" ", command) + "\n" + output + "[" + result + ", " + ms + " ms]\n\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      if (!done || p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + ": " + result + "\n" + tail(output, 4000));
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  /**
   * docker-compose.yml with host networking: {@code networks}, {@code ports} and {@code
   * extra_hosts} removed from every service, {@code network_mode: host} added, top-level {@code
   * networks} removed. Nothing else changes (anchors and merge keys are resolved, interpolation is
   * left to Compose). An override cannot express this in Compose v1, which merges lists and maps
   * but never removes a key.
   */
  static Path hostNetworked(Path composeFile, Path out) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    @SuppressWarnings("unchecked")
    Map<String, Object> doc =
        new Yaml(options).load(Files.readString(composeFile, StandardCharsets.UTF_8));
    Map<String, Object> result = new LinkedHashMap<>();
    doc.forEach((key, value) -> {
      if (!key.startsWith("x-") && !key.equals("networks")) {
        result.put(key, value);
      }
    });
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) result.get("services");
    services.replaceAll((name, service) -> {
      Map<String, Object> s = new LinkedHashMap<>(service);
      s.remove("networks");
      s.remove("ports");
      s.remove("extra_hosts");
      s.put("network_mode", "host");
      return s;
    });
    DumperOptions dump = new DumperOptions();
    dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    dump.setDereferenceAliases(true);
    Files.writeString(
        out,
        "# Written by ComposeStackIT from "
            + composeFile
            + " (host networking).\n"
            + new Yaml(dump).dump(result),
        StandardCharsets.UTF_8);
    return out;
  }

  static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
