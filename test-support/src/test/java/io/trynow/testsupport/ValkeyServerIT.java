package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.testsupport.RealServersExtension.WithRealServers;
import org.junit.jupiter.api.Test;

@WithRealServers(RealServers.Kind.VALKEY)
class ValkeyServerIT {

  @Test
  void luaRunsAndDataSurvivesAHardRestart(ValkeyServer valkey) {
    assertThat(valkey.command("EVAL \"return redis.call('INCRBY', KEYS[1], ARGV[1])\" 1 k 41"))
        .isEqualTo(":41");
    assertThat(valkey.command("INCR k")).isEqualTo(":42");
    valkey.command("CONFIG SET appendfsync always");
    valkey.command("INCR k");

    valkey.restart(true);

    assertThat(valkey.command("GET k")).isEqualTo("$2");
    assertThat(valkey.command("INCR k")).isEqualTo(":44");
  }
}
