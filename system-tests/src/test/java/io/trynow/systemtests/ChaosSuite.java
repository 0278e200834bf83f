package io.trynow.systemtests;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One class of the chaos suite (issue #17): its own stack ({@link ChaosRun}), steady first, then
 * each of its {@link #faults()} in turn during visitor traffic ({@link ChaosVisitors}) — kill -9,
 * restore, and after each the invariants hold and the stack settles within the fault's bound
 * ({@link ChaosFault}). The table of settle times is printed and written to {@code
 * target/chaos/<name>.txt} (and appended to {@code target/chaos/settle.txt}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ChaosSuite {

  private ChaosRun run;

  /** The stack's name (and the table's file name). */
  abstract String name();

  /** The faults, in the order they are caused. */
  abstract List<ChaosFault> faults();

  @BeforeAll
  void start() {
    run = ChaosRun.start(name());
  }

  @AfterAll
  void stop() {
    if (run != null) {
      run.close();
    }
  }

  @Test
  @Order(1)
  void steadyBeforeTheFaults() {
    run.awaitSteady();
  }

  @ParameterizedTest(name = "kill -9 {0}")
  @Order(2)
  @MethodSource("faults")
  void killAndRestore(ChaosFault fault) {
    ChaosRun.assertRow(run.fault(fault));
  }
}
