package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.ValkeyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Builds pool-service's image from deploy/docker/Dockerfile.jvm and runs it the way Compose and
 * Kubernetes do: read-only root, no capabilities, no privilege escalation, the image's non-root
 * user. No registry is reachable here, so the pinned Temurin base is swapped for a stand-in made
 * from this machine's JDK (deploy/docker/local-jre-base.sh); everything above FROM is the real
 * Dockerfile. The container runs with host networking on 127.0.0.1 against real NATS and Valkey,
 * from the JDK AOT cache its build's training run made (the JVM is told to refuse to start without
 * it, and the classes it loaded are counted by where they came from).
 */
@WithRealServers({Kind.NATS, Kind.VALKEY, Kind.DOCKER})
class ServiceImageIT {

  private static final String IMAGE = "trynow/pool-service:deploy-it";
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void imageRunsLockedDownAndItsHealthcheckFollowsReadiness(
      NatsServer nats, ValkeyServer valkey, DockerClient docker) throws Exception {
    // pool-service's aot-jar (build with ./mvnw verify -pl deploy -am), the image's context
    Path app = AotJar.app("pool-service");
    String base =
        lastLine(
            run(
                Repo.root().resolve("deploy/docker/local-jre-base.sh").toString(),
                System.getProperty("java.home")));
    run(
        "docker",
        "build",
        "-q",
        "-f",
        Repo.dockerfile().toString(),
        "--build-arg",
        "BASE_IMAGE=" + base,
        "--build-arg",
        "SERVICE=pool-service",
        "--build-arg",
        "PORT=8081",
        "-t",
        IMAGE,
        app.toString());

    InspectImageResponse image = docker.inspectImageCmd(IMAGE).exec();
    assertThat(image.getConfig().getUser()).isEqualTo("10001:10001");
    assertThat(image.getConfig().getHealthcheck().getTest())
        .anyMatch(s -> s.contains("/q/health/ready"));
    assertThat(image.getConfig().getEntrypoint())
        .containsExactly("java", "-XX:AOTCache=/app/trynow.aot", "-jar", "/app/quarkus-run.jar");

    String cluster = "deploy-it-" + UUID.randomUUID().toString().substring(0, 8);
    int port = FreePorts.one();
    String id =
        docker
            .createContainerCmd(IMAGE)
            .withName("trynow-" + cluster)
            .withLabels(Map.of("trynow.managed", "true", "trynow.cluster", cluster))
            .withEnv(
                "TRYNOW_HTTP_HOST=127.0.0.1",
                "TRYNOW_HTTP_PORT=" + port,
                "TRYNOW_NATS_URL=" + nats.url(),
                "TRYNOW_VALKEY_URL=" + valkey.url(),
                "TRYNOW_VALKEY_PREFIX=" + cluster,
                // The image's default (prod) profile has no template: the operator provides them.
                "TRYNOW_TEMPLATES_HELLO_IMAGE=" + SampleImage.IMAGE,
                // The image's AOT cache (its build's training run) must be used, not only present:
                // with AOTMode=on a cache the JVM cannot use stops it; the class-load log tells
                // where each class came from ("shared objects file" = the cache).
                "JDK_JAVA_OPTIONS=-XX:AOTMode=on -Xlog:class+load=info:file=/tmp/class-load.log")
            // The image's test, probed every second instead of every ten.
            .withHealthcheck(
                new HealthCheck()
                    .withInterval(SECOND)
                    .withTimeout(3 * SECOND)
                    .withRetries(2)
                    .withStartPeriod(120 * SECOND))
            .withHostConfig(
                HostConfig.newHostConfig()
                    .withNetworkMode("host")
                    .withReadonlyRootfs(true)
                    .withTmpFs(Map.of("/tmp", "rw,size=64m"))
                    .withCapDrop(Capability.ALL)
                    .withSecurityOpts(List.of("no-new-privileges"))
                    .withMemory(512L * 1024 * 1024))
            .exec()
            .getId();
    try {
      docker.startContainerCmd(id).exec();

      await("container healthy")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> health(docker, id), "healthy"::equals);
      InspectContainerResponse running = docker.inspectContainerCmd(id).exec();
      assertThat(running.getConfig().getUser()).isEqualTo("10001:10001");
      assertThat(running.getHostConfig().getReadonlyRootfs()).isTrue();
      // JSON log lines by default (TRYNOW_LOG_JSON=true in the image).
      String logs = run("docker", "logs", id);
      assertThat(logs.lines().filter(l -> l.startsWith("{\"timestamp\"")).count()).isPositive();
      assertThat(logs).contains("pool-service", "Profile prod activated");
      assertThat(logs).contains("Picked up JDK_JAVA_OPTIONS: -XX:AOTMode=on");

      // Ready against real NATS and Valkey, most classes it loaded came from the cache the training
      // run (without servers) wrote: 8295 of 9311 here (the rest: what only a connected service
      // loads, Jackson 317, BouncyCastle 161, jnats 93, ...; deploy/README "Images").
      String[] classes =
          run(
                  "docker",
                  "exec",
                  id,
                  "bash",
                  "-c",
                  "all=0; cached=0; while read -r l; do all=$((all + 1));"
                      + " [[ $l == *'source: shared objects file'* ]] && cached=$((cached + 1));"
                      + " done </tmp/class-load.log; echo $cached $all")
              .strip()
              .split(" ");
      int cached = Integer.parseInt(classes[0]);
      int all = Integer.parseInt(classes[1]);
      System.out.printf("pool-service image: %d of %d classes from the AOT cache%n", cached, all);
      assertThat(all).isGreaterThan(5000);
      assertThat(cached).isGreaterThanOrEqualTo(all * 85 / 100);

      // Readiness checks NATS: without it the container turns unhealthy.
      nats.kill();
      await("container unhealthy without NATS")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> health(docker, id), "unhealthy"::equals);
    } finally {
      nats.start();
      docker.removeContainerCmd(id).withForce(true).exec();
      docker.removeImageCmd(IMAGE).withForce(true).exec();
    }
  }

  private static String health(DockerClient docker, String id) {
    InspectContainerResponse c = docker.inspectContainerCmd(id).exec();
    assertThat(c.getState().getRunning()).as("container running").isTrue();
    return c.getState().getHealth().getStatus();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("deploy-it-", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      String output = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
      return output;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return lines.get(lines.size() - 1).strip();
  }
}
