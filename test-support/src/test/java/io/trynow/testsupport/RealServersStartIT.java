package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A {@link RealServers} that cannot be made whole leaves no server running: the Docker engine is
 * checked before any server starts, and a server that fails to start closes the ones started before
 * it. Leaks are counted as this JVM's child processes that the failed constructor left alive (each
 * is killed by its PID at the end, so a failing run leaks nothing either).
 */
class RealServersStartIT {

  @Test
  void aDockerEngineThatDoesNotAnswerStartsNoServer() throws Exception {
    // DockerEngine reads its endpoint as docker-java does: the DOCKER_HOST system property first,
    // then the environment. A socket path where nothing listens never answers; the machine's
    // dockerd is not touched.
    Path dir = Files.createTempDirectory("trynow-no-docker-");
    String socket = "unix://" + dir.resolve("docker.sock");
    Set<Long> before = children();
    String previous = System.getProperty("DOCKER_HOST");
    System.setProperty("DOCKER_HOST", socket);
    try {
      assertThatThrownBy(RealServers::startAll)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not answer")
          .hasMessageContaining(socket);
    } finally {
      restore(previous);
      List<String> leaked = killLeakedSince(before);
      assertThat(leaked).as("server processes left running by the failed start").isEmpty();
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void aServerThatFailsToStartClosesTheServersStartedBeforeIt() {
    Set<Long> before = children();
    try {
      assertThatThrownBy(() ->
              new RealServers(
                  EnumSet.of(
                      RealServers.Kind.NATS, RealServers.Kind.VALKEY, RealServers.Kind.CADDY),
                  () -> {},
                  NatsServer::new,
                  ValkeyServer::new,
                  () -> {
                    throw new IllegalStateException("caddy cannot start here");
                  }))
          .hasMessage("caddy cannot start here");
    } finally {
      List<String> leaked = killLeakedSince(before);
      assertThat(leaked).as("NATS and Valkey left running after Caddy failed").isEmpty();
    }
  }

  private static void restore(String previous) {
    if (previous == null) {
      System.clearProperty("DOCKER_HOST");
    } else {
      System.setProperty("DOCKER_HOST", previous);
    }
  }

  private static Set<Long> children() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /** The children started since {@code before} and still alive, each killed by its PID. */
  private static List<String> killLeakedSince(Set<Long> before) {
    List<ProcessHandle> leaked =
        ProcessHandle.current()
            .children()
            .filter(ProcessHandle::isAlive)
            .filter(p -> !before.contains(p.pid()))
            .toList();
    List<String> described =
        leaked.stream().map(p -> p.pid() + " " + p.info().command().orElse("?")).toList();
    leaked.forEach(ProcessHandle::destroyForcibly);
    return described;
  }
}
