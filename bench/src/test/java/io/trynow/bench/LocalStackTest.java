package io.trynow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the benches tell a service recording its AOT cache from one running from it. */
class LocalStackTest {

  @TempDir Path pids;

  @Test
  void aServiceIsRecordingCachedOrWithoutACacheByItsCommandLineAndMark() throws Exception {
    assertThat(LocalStack.aotMode(pids, "api-gateway")).isEqualTo("?"); // no pid file
    // a real process whose command line names a cache, as ./trynow starts a cached service
    Process cached =
        new ProcessBuilder("sh", "-c", "sleep 30", "sh", "-XX:AOTCache=/x/api-gateway.aot").start();
    try {
      Files.writeString(pids.resolve("api-gateway.pid"), cached.pid() + "\n");
      assertThat(LocalStack.aotMode(pids, "api-gateway")).isEqualTo("cached");
      // ./trynow's mark of a service started with -XX:AOTMode=record
      Files.writeString(pids.resolve("api-gateway.aot-training"), "");
      assertThat(LocalStack.aotMode(pids, "api-gateway")).isEqualTo("recording");
    } finally {
      cached.destroy();
    }
    // this test's own JVM: neither flag
    Files.writeString(pids.resolve("pool-service.pid"), ProcessHandle.current().pid() + "");
    assertThat(LocalStack.aotMode(pids, "pool-service")).isEqualTo("no cache");
  }
}
