package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./trynow}'s build skip and AOT cache choice (README "Startup and memory"), run on a copy
 * of the script in a scratch checkout whose {@code mvnw} only counts its calls and writes the five
 * services' {@code quarkus-app}: {@code up}/{@code build} builds only when the sources changed, and
 * a service records its AOT cache on the first run of a build, runs without one while it is being
 * made, from it afterwards, and records again once the build changed.
 */
class TrynowScriptTest {

  static final List<String> MODULES =
      List.of("api-gateway", "pool-service", "provisioner-worker", "proxy-sync", "cleanup-worker");

  @TempDir Path root;

  @BeforeEach
  void scratchCheckout() throws IOException {
    Files.copy(Repo.root().resolve("trynow"), root.resolve("trynow"));
    root.resolve("trynow").toFile().setExecutable(true);
    // what it sources and reads: the build helpers it shares, the services' own JVM options
    for (String f : List.of("deploy/lib/build.sh", "deploy/jvm-options.properties")) {
      Files.createDirectories(root.resolve(f).getParent());
      Files.copy(Repo.root().resolve(f), root.resolve(f));
    }
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    for (String m : MODULES) {
      Path src = Files.createDirectories(root.resolve(m + "/src/main/java"));
      Files.writeString(src.resolve("A.java"), "class A {}\n");
      Files.writeString(root.resolve(m + "/pom.xml"), "<project/>\n");
    }
    for (String sample : List.of("hello", "shop")) {
      Path dir = Files.createDirectories(root.resolve("samples/" + sample));
      Files.writeString(dir.resolve("build.sh"), "exit 0\n");
    }
    // a Maven that counts its calls and makes what a package makes (new bytes every time)
    Path mvnw = root.resolve("mvnw");
    Files.writeString(
        mvnw,
        "#!/usr/bin/env bash\n"
            + "echo \"$*\" >>mvn-calls\n"
            + "for m in "
            + String.join(" ", MODULES)
            + "; do mkdir -p $m/target/quarkus-app/lib;"
            + " echo $RANDOM$RANDOM >$m/target/quarkus-app/quarkus-run.jar;"
            + " echo lib >$m/target/quarkus-app/lib/a.jar; done\n");
    mvnw.toFile().setExecutable(true);
  }

  @Test
  void buildsOnlyWhenTheSourcesChangedSinceItsLastBuild() throws Exception {
    Result first = trynow("build");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(mavenCalls()).isEqualTo(1);

    Result second = trynow("build");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(mavenCalls()).as("unchanged sources: no Maven").isEqualTo(1);
    assertThat(second.err()).contains("sources unchanged");

    Path src = root.resolve("pool-service/src/main/java/A.java");
    Files.writeString(src, "class A { int x; }\n");
    assertThat(trynow("build").exit()).isZero();
    assertThat(mavenCalls()).as("a source changed").isEqualTo(2);

    assertThat(trynow("build").exit()).isZero();
    assertThat(mavenCalls()).isEqualTo(2);
    // a test file or a file outside src/main is not what the services are built from
    Files.createDirectories(root.resolve("pool-service/src/test/java"));
    Files.writeString(root.resolve("pool-service/src/test/java/T.java"), "class T {}\n");
    Files.writeString(root.resolve("notes.txt"), "x\n");
    assertThat(trynow("build").exit()).isZero();
    assertThat(mavenCalls()).isEqualTo(2);

    Files.delete(root.resolve("cleanup-worker/target/quarkus-app/quarkus-run.jar"));
    assertThat(trynow("build").exit()).isZero();
    assertThat(mavenCalls()).as("a service's jar is missing").isEqualTo(3);

    assertThat(trynow(Map.of("TRYNOW_BUILD", "1"), "build").exit()).isZero();
    assertThat(mavenCalls()).as("TRYNOW_BUILD=1 forces it").isEqualTo(4);
  }

  @Test
  void recordsTheAotCacheOnceUsesItAndRecordsAgainWhenTheBuildChanged() throws Exception {
    assertThat(trynow("build").exit()).isZero();

    List<String> record = aotOptions("api-gateway", "api-gateway");
    assertThat(record).hasSize(2);
    assertThat(record.get(0)).isEqualTo("-XX:AOTMode=record");
    assertThat(record.get(1))
        .matches("-XX:AOTConfiguration=.*/\\.trynow/aot/api-gateway-[0-9a-f]{16}\\.aotconf");
    String base = record.get(1).substring("-XX:AOTConfiguration=".length()).replace(".aotconf", "");
    assertThat(aotOptions("api-gateway-2", "api-gateway"))
        .as("only the first replica records")
        .isEmpty();

    // recorded (the JVM wrote the configuration at exit): run without while the cache is made
    Files.writeString(Path.of(base + ".aotconf"), "recording");
    assertThat(aotOptions("api-gateway", "api-gateway")).isEmpty();

    // made: every replica runs from it, as long as the build stays the same
    Files.delete(Path.of(base + ".aotconf"));
    Files.writeString(Path.of(base + ".aot"), "cache");
    assertThat(aotOptions("api-gateway", "api-gateway"))
        .containsExactly("-XX:AOTCache=" + base + ".aot");
    assertThat(aotOptions("api-gateway-2", "api-gateway"))
        .containsExactly("-XX:AOTCache=" + base + ".aot");
    assertThat(trynow("build").exit()).isZero(); // sources unchanged: quarkus-app untouched
    assertThat(aotOptions("api-gateway", "api-gateway"))
        .containsExactly("-XX:AOTCache=" + base + ".aot");

    // another build: a new key, recorded again, the old cache removed (the JDK would refuse it)
    Path jar = root.resolve("api-gateway/target/quarkus-app/quarkus-run.jar");
    Files.writeString(jar, "rebuilt");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
    List<String> again = aotOptions("api-gateway", "api-gateway");
    assertThat(again).hasSize(2);
    assertThat(again.get(0)).isEqualTo("-XX:AOTMode=record");
    assertThat(again.get(1)).doesNotContain(base);
    assertThat(Path.of(base + ".aot")).doesNotExist();
    // the other services' keys did not change
    assertThat(aotOptions("pool-service", "pool-service").get(1))
        .contains(".trynow/aot/pool-service-");
  }

  @Test
  void theWorkersStopTheJitAtC1AndTheirOptionsKeyTheAotCache() throws Exception {
    assertThat(trynow("build").exit()).isZero();
    for (String m : MODULES) {
      List<String> opts =
          bash(Map.of(), "source ./trynow; service_jvm_opts " + m).out().lines().toList();
      assertThat(opts).startsWith("-XX:+UseSerialGC", "-Xms32m", "-Xmx96m");
      if (m.equals("api-gateway")) {
        assertThat(opts).as(m).doesNotContain("-XX:TieredStopAtLevel=1");
      } else {
        assertThat(opts).as(m).endsWith("-XX:TieredStopAtLevel=1");
      }
    }
    // other options: another AOT cache (the JDK would refuse one made with other JIT settings)
    String base = bash(Map.of(), "source ./trynow; aot_base proxy-sync").out().strip();
    String full =
        bash(Map.of("TRYNOW_WORKER_JVM_OPTS", ""), "source ./trynow; aot_base proxy-sync")
            .out()
            .strip();
    assertThat(full)
        .startsWith(root.resolve(".trynow/aot/proxy-sync-").toString())
        .isNotEqualTo(base);
    assertThat(
            bash(
                    Map.of("TRYNOW_WORKER_JVM_OPTS", ""),
                    "source ./trynow; service_jvm_opts proxy-sync")
                .out()
                .lines())
        .containsExactly("-XX:+UseSerialGC", "-Xms32m", "-Xmx96m");
    // the gateway's key does not depend on the workers' options
    assertThat(
            bash(Map.of("TRYNOW_WORKER_JVM_OPTS", ""), "source ./trynow; aot_base api-gateway")
                .out())
        .isEqualTo(bash(Map.of(), "source ./trynow; aot_base api-gateway").out());
  }

  @Test
  void theAotCacheIsOffWhenAskedAndEachSlotKeepsItsOwnProcesses() throws Exception {
    Result off =
        bash(
            Map.of("TRYNOW_AOT", "0"),
            "source ./trynow; if aot_enabled; then echo on; else echo off; fi");
    assertThat(off.out().strip()).isEqualTo("off");
    Result on = bash(Map.of(), "source ./trynow; if aot_enabled; then echo on; else echo off; fi");
    assertThat(on.out().strip()).isEqualTo(javaFeature() >= 25 ? "on" : "off");

    Result slot0 = bash(Map.of(), "source ./trynow; echo \"$PIDS $DATA $AOT_DIR\"");
    Result slot8 =
        bash(Map.of("TRYNOW_SLOT", "8"), "source ./trynow; echo \"$PIDS $DATA $AOT_DIR\"");
    Path state = root.resolve(".trynow");
    assertThat(slot0.out().strip())
        .isEqualTo(
            state.resolve("pids") + " " + state.resolve("data") + " " + state.resolve("aot"));
    assertThat(slot8.out().strip())
        .isEqualTo(
            state.resolve("slot-8/pids")
                + " "
                + state.resolve("slot-8/data")
                + " "
                + state.resolve("aot"));
  }

  private List<String> aotOptions(String name, String module) throws Exception {
    Result r = bash(Map.of(), "source ./trynow; aot_options " + name + " " + module);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().lines().filter(l -> !l.isBlank()).toList();
  }

  private int mavenCalls() throws IOException {
    Path calls = root.resolve("mvn-calls");
    return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
  }

  private static int javaFeature() {
    return Runtime.version().feature();
  }

  record Result(int exit, String out, String err) {}

  private Result trynow(String... args) throws Exception {
    return trynow(Map.of(), args);
  }

  private Result trynow(Map<String, String> env, String... args) throws Exception {
    return bash(env, "./trynow " + String.join(" ", args));
  }

  /** Runs {@code script} with bash in the scratch checkout, JAVA_HOME the JDK running this test. */
  private Result bash(Map<String, String> env, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(root.toFile());
    pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
    pb.environment().remove("TRYNOW_SLOT");
    pb.environment().remove("TRYNOW_AOT");
    pb.environment().remove("TRYNOW_BUILD");
    pb.environment().remove("TRYNOW_SKIP_BUILD");
    pb.environment().remove("TRYNOW_WORKER_JVM_OPTS");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("trynow", ".out");
    Path err = Files.createTempFile("trynow", ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + script);
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }
}
