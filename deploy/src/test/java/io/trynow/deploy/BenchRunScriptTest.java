package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/run.sh} ({@code ./trynow bench NAME}) packages the bench module only when its
 * sources or those it needs changed since its last package, run on a copy of the script in a
 * scratch checkout whose {@code mvnw} only counts its calls and whose {@code java} only says what
 * it would run.
 */
class BenchRunScriptTest {

  @TempDir Path root;
  @TempDir Path jdk;

  @BeforeEach
  void scratchCheckout() throws IOException {
    Path bench = Files.createDirectories(root.resolve("bench"));
    Files.copy(Repo.root().resolve("bench/run.sh"), bench.resolve("run.sh"));
    bench.resolve("run.sh").toFile().setExecutable(true);
    Files.createDirectories(root.resolve("deploy/lib"));
    Files.copy(Repo.root().resolve("deploy/lib/build.sh"), root.resolve("deploy/lib/build.sh"));
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    for (String m : new String[] {"bench", "platform", "shared-model", "test-support"}) {
      Path src = Files.createDirectories(root.resolve(m + "/src/main/java"));
      Files.writeString(src.resolve("A.java"), "class A {}\n");
      Files.writeString(root.resolve(m + "/pom.xml"), "<project/>\n");
    }
    // a Maven that counts its calls and leaves what the package leaves: classes and a class path
    Path mvnw = root.resolve("mvnw");
    Files.writeString(
        mvnw,
        "#!/usr/bin/env bash\n"
            + "echo \"$*\" >>mvn-calls\n"
            + "mkdir -p bench/target/classes platform/target\n"
            + "echo jar >platform/target/platform.jar\n"
            + "echo -n \"$PWD/platform/target/platform.jar\" >bench/target/classpath.txt\n");
    mvnw.toFile().setExecutable(true);
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/usr/bin/env bash\necho \"java $*\"\n");
    java.toFile().setExecutable(true);
  }

  @Test
  void packagesOnlyWhenTheSourcesChangedOrTheClassPathIsGone() throws Exception {
    assertThat(run()).contains("io.trynow.bench.StartupBench", "platform.jar");
    assertThat(mavenCalls()).isEqualTo(1);

    assertThat(run()).contains("io.trynow.bench.StartupBench");
    assertThat(mavenCalls()).as("nothing changed: no Maven").isEqualTo(1);

    Files.writeString(root.resolve("platform/src/main/java/A.java"), "class A { int x; }\n");
    run();
    assertThat(mavenCalls()).as("a source bench needs changed").isEqualTo(2);
    run();
    assertThat(mavenCalls()).isEqualTo(2);

    // a service's source is not what the bench is built from
    Path gateway = Files.createDirectories(root.resolve("api-gateway/src/main/java"));
    Files.writeString(gateway.resolve("G.java"), "class G {}\n");
    run();
    assertThat(mavenCalls()).isEqualTo(2);

    Files.delete(root.resolve("platform/target/platform.jar"));
    run();
    assertThat(mavenCalls()).as("a jar of the class path is gone").isEqualTo(3);
  }

  private String run() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "bench/run.sh", "startup", "40").directory(root.toFile());
    pb.environment().put("JAVA_HOME", jdk.toString());
    Path out = Files.createTempFile("run", ".out");
    Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(1, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("bench/run.sh timed out");
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }

  private int mavenCalls() throws IOException {
    Path calls = root.resolve("mvn-calls");
    return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
  }
}
