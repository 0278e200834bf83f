package io.trynow.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MachineCpuTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void slowRequestsMakeMergedWindowsOfTheSpansTheyWaited() {
    // one request a ms from t=1000 ms; #2 and #3 slow (overlapping spans merge), #45 slow alone,
    // #5 never answered (0: not a slow request)
    long[] latencies = new long[50];
    java.util.Arrays.fill(latencies, 1 * MS);
    latencies[2] = 20 * MS;
    latencies[3] = 15 * MS;
    latencies[5] = 0;
    latencies[45] = 30 * MS;
    List<long[]> windows = MachineCpu.slowWindows(latencies, 1000 * MS, MS, 10 * MS, 5 * MS);

    assertEquals(2, windows.size());
    assertArrayEquals(new long[] {(1002 - 5) * MS, (1002 + 20 + 5) * MS}, windows.get(0));
    assertArrayEquals(new long[] {(1045 - 5) * MS, (1045 + 30 + 5) * MS}, windows.get(1));
    assertTrue(MachineCpu.slowWindows(latencies, 0, MS, 40 * MS, 0).isEmpty());
  }

  @Test
  void aProcessBusyOnlyInTheWindowsIsNamedFirstAndItsRateInsideIsItsBusyLoop() throws Exception {
    // a real process spinning for 400 ms, twice, while the sampler reads every process on the
    // machine: the windows are when it ran; outside them it did not exist
    List<long[]> windows = new ArrayList<>();
    try (MachineCpu machine = MachineCpu.start(Map.of(), 10)) {
      Thread.sleep(300);
      for (int round = 0; round < 2; round++) {
        long from = System.nanoTime();
        Process spin =
            new ProcessBuilder(
                    "sh", "-c", "printf trynow-spin > /proc/$$/comm; while :; do :; done")
                .start();
        Thread.sleep(400);
        spin.destroyForcibly().waitFor();
        // the sampler sees a new process within a rescan, and its ticks at the next sample
        Thread.sleep(MachineCpu.RESCAN_NANOS / MS + 30);
        windows.add(new long[] {from, System.nanoTime()});
        Thread.sleep(400);
      }
      Thread.sleep(100);
      List<MachineCpu.Share> shares = machine.shares(windows);
      MachineCpu.Share spin =
          shares.stream()
              .filter(s -> s.label().equals("trynow-spin"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(shares.toString()));
      // it spun ~800 ms of CPU inside ~1.1 s of windows when it had a core to itself; a busy
      // machine (CI's other tests) gives it less, never nothing
      assertTrue(spin.inside() > 100, "inside " + spin);
      assertEquals(0.0, spin.outside(), 1e-9, "outside " + spin);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      machine.printTail(new PrintStream(out, true), windows, 10 * MS, 3);
      String printed = out.toString();
      assertTrue(printed.startsWith("tail: 2 stalls"), printed);
      assertTrue(printed.contains("  trynow-spin "), printed);
    }
  }

  @Test
  void theBusiestOverTheRunAreNamedWithTheirCoresAndTheMachinesSum() throws Exception {
    // a real process spinning for 500 ms of a ~700 ms sampled run: ~0.7 of a core when it had one
    // to itself, less on a busy machine, among the busiest whatever else runs
    try (MachineCpu machine = MachineCpu.start(Map.of(), 10)) {
      Thread.sleep(100);
      Process spin =
          new ProcessBuilder("sh", "-c", "printf trynow-busy > /proc/$$/comm; while :; do :; done")
              .start();
      Thread.sleep(500);
      spin.destroyForcibly().waitFor();
      Thread.sleep(MachineCpu.RESCAN_NANOS / MS + 30);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      machine.printBusiest(new PrintStream(out, true), 3);
      String printed = out.toString().strip();
      assertTrue(printed.startsWith("CPU over the run (cores, busiest first): "), printed);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(" trynow-busy (\\d+\\.\\d\\d),").matcher(printed);
      assertTrue(m.find(), printed);
      assertTrue(Double.parseDouble(m.group(1)) >= 0.1, printed);
      java.util.regex.Matcher sum =
          java.util.regex.Pattern.compile(" all (\\d+\\.\\d\\d)$").matcher(printed);
      assertTrue(sum.find(), printed);
      assertTrue(Double.parseDouble(sum.group(1)) >= Double.parseDouble(m.group(1)), printed);
    }
  }

  @Test
  void aKernelThreadIsLabelledSoAndKnownPidsByTheirRole() throws Exception {
    String kthreadd = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/2/stat"));
    assertEquals("kthreadd", MachineCpu.command(kthreadd));
    assertTrue(MachineCpu.kernel(kthreadd));
    long self = ProcessHandle.current().pid();
    String mine = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + self + "/stat"));
    assertTrue(!MachineCpu.kernel(mine));

    try (MachineCpu machine = MachineCpu.start(Map.of(self, "load generator"), 10)) {
      long from = System.nanoTime();
      long spin = 0;
      while (System.nanoTime() - from < 300 * MS) {
        spin += System.nanoTime() % 7; // this JVM busy for 300 ms
      }
      long to = System.nanoTime();
      Thread.sleep(50);
      List<MachineCpu.Share> shares = machine.shares(List.of(new long[] {from, to + 20 * MS}));
      assertTrue(spin > 0);
      assertTrue(
          shares.stream().anyMatch(s -> s.label().equals("load generator") && s.inside() > 100),
          shares.toString());
    }
  }
}
