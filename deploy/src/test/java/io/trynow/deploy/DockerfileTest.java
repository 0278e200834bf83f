package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.deploy.Dockerfile.Instruction;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service image's Dockerfile, checked without building it (ServiceImageIT builds and runs it
 * from a locally made base where no registry is reachable).
 */
class DockerfileTest {

  private final Dockerfile dockerfile = parse();

  private static Dockerfile parse() {
    try {
      return Dockerfile.parse(Repo.dockerfile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Seeds 001 and 002: ":latest" base images made builds unreproducible. */
  @Test
  void theBaseImageIsAPinnedTemurinJre() {
    List<Instruction> from = dockerfile.all("FROM");
    assertThat(from).hasSize(1);
    assertThat(from.get(0).args()).isEqualTo("${BASE_IMAGE}");
    String base = dockerfile.argDefault("BASE_IMAGE").orElseThrow();
    // eclipse-temurin:<major>.<minor>.<patch>_<build>-jre-<distro>
    assertThat(base)
        .matches("eclipse-temurin:\\d+\\.\\d+\\.\\d+_\\d+-jre-[a-z]+(@sha256:[a-f0-9]{64})?");
    assertThat(base).doesNotContain("latest");
    // The JRE's feature release is at least the build's target (maven.compiler.release 21).
    int feature = Integer.parseInt(base.substring("eclipse-temurin:".length()).split("\\.")[0]);
    assertThat(feature).isGreaterThanOrEqualTo(21);
  }

  @Test
  void runsAsANumericNonRootUser() {
    String user = dockerfile.last("USER").orElseThrow().args();
    assertThat(user).matches("\\d+:\\d+");
    assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
    assertThat(Integer.parseInt(user.split(":")[1])).isPositive();
    // Nothing after USER switches back, and the copied files belong to that user.
    int userIndex = dockerfile.instructions().indexOf(dockerfile.last("USER").orElseThrow());
    assertThat(dockerfile.instructions().subList(userIndex + 1, dockerfile.instructions().size()))
        .noneMatch(i -> i.keyword().equals("USER") || i.keyword().equals("RUN"));
    assertThat(dockerfile.all("COPY")).allMatch(c -> c.args().startsWith("--chown=" + user + " "));
  }

  @Test
  void copiesTheQuarkusAotJarLayoutAndRunsIt() {
    List<String> copied = dockerfile.all("COPY").stream().map(Instruction::args).toList();
    assertThat(copied)
        .anyMatch(c -> c.contains(" lib/ /app/lib/"))
        .anyMatch(c -> c.contains(" app/ /app/app/"))
        .anyMatch(c -> c.contains(" quarkus/ /app/quarkus/"))
        .anyMatch(c -> c.contains(" quarkus-run.jar /app/quarkus-run.jar"));
    assertThat(dockerfile.all("ADD")).isEmpty();
    assertThat(dockerfile.last("ENTRYPOINT").orElseThrow().args())
        .isEqualTo(
            "[\"java\", \"-XX:AOTCache=/app/trynow.aot\", \"-jar\", \"/app/quarkus-run.jar\"]");
    String env = dockerfile.last("ENV").orElseThrow().args();
    // Containers listen on every interface; the JVM sizes its heap from the memory limit.
    assertThat(env)
        .contains("TRYNOW_HTTP_HOST=0.0.0.0", "TRYNOW_HTTP_PORT=${PORT}", "TRYNOW_LOG_JSON=true");
    assertThat(env).contains("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError");
    // the collector ./trynow up runs the services with (SERVICE_JVM_OPTS), not G1 by ergonomics
    assertThat(env).contains("-XX:+UseSerialGC");
    // a service's own options (the workers' -XX:TieredStopAtLevel=1) come as a build argument
    assertThat(env).contains("${JVM_OPTS}");
    assertThat(dockerfile.all("ARG").stream().map(Instruction::args)).contains("JVM_OPTS=");
    assertThat(dockerfile.last("EXPOSE").orElseThrow().args()).isEqualTo("${PORT}");
  }

  @Test
  void aTrainingRunOfTheImageMakesTheAotCacheItsEntrypointStartsFrom() {
    List<Instruction> runs = dockerfile.all("RUN");
    assertThat(runs).hasSize(1);
    String training = runs.get(0).args();
    // the image's own java and jar, writing the very file the ENTRYPOINT names
    assertThat(training)
        .contains("java ", "-XX:AOTCacheOutput=/app/trynow.aot", "-jar /app/quarkus-run.jar");
    // a fixed heap: the cache's compressed-oops mode must be the containers' whatever the build
    // host's memory
    assertThat(training).containsPattern("-Xmx\\d+m ");
    // the build fails when no cache was written
    assertThat(training).contains("[[ -s /app/trynow.aot ]]", "exit 1");
    // after the copies (the cache is valid only for these jars) and the ENV (same JVM options)
    List<Instruction> all = dockerfile.instructions();
    int run = all.indexOf(runs.get(0));
    assertThat(all.subList(run, all.size())).noneMatch(i -> i.keyword().equals("COPY"));
    assertThat(all.subList(run, all.size())).noneMatch(i -> i.keyword().equals("ENV"));
    // the dummy settings of the training are not the image's
    assertThat(dockerfile.env())
        .doesNotContainKeys("TRYNOW_GATEWAY_TICKET_SECRET", "TRYNOW_NATS_URL");
  }

  @Test
  void theHealthcheckAsksTheServicesReadiness() {
    String health = dockerfile.last("HEALTHCHECK").orElseThrow().args();
    assertThat(health).contains("--interval=", "--timeout=", "--start-period=", "--retries=");
    assertThat(health).contains("CMD [\"bash\", \"-c\"");
    // api-gateway answers /q/* on its management port; the workers on their HTTP port
    assertThat(health)
        .contains(
            "/dev/tcp/127.0.0.1/${TRYNOW_MANAGEMENT_PORT:-${TRYNOW_HTTP_PORT}}",
            "GET /q/health/ready");
    assertThat(health).contains("' 200 '");
  }
}
