package io.trynow.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chaos suite, servers half (issue #17): during visitor traffic ({@link ChaosVisitors}), kill
 * -9 each of the servers trynow runs on — nats-server, Valkey and Caddy — in turn, leave it down
 * for {@link ChaosFault#SERVER_OUTAGE} and start it again; after each, the invariants hold and the
 * stack settles within the fault's bound ({@link ChaosFault}). The table of settle times is printed
 * and written to {@code target/chaos/servers.txt} (and appended to {@code settle.txt}).
 */
@TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ChaosServersSystemIT {

  private static ChaosRun run;

  @BeforeAll
  static void start() {
    run = ChaosRun.start("servers");
  }

  @AfterAll
  static void stop() {
    if (run != null) {
      run.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void steadyBeforeTheFaults() {
    run.awaitSteady();
  }

  @ParameterizedTest(name = "kill -9 {0}")
  @org.junit.jupiter.api.Order(2)
  @EnumSource(
      value = ChaosFault.class,
      names = {"NATS", "VALKEY", "CADDY"})
  void killAndRestore(ChaosFault fault) {
    ChaosRun.assertRow(run.fault(fault));
  }
}
