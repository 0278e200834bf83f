package io.trynow.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every process's CPU on the machine, sampled from {@code /proc/<pid>/stat} while a load runs, to
 * tell what else had the cores when the tail was made (issue #15: the acquire tail on a 2-core VM
 * came from a kernel thread, {@code kdamond.0}, that took a core for 7-18 ms every ~545 ms). Each
 * sample reads the user + system ticks of every process that used CPU in the last second (pread on
 * a channel kept open per process: one system call each); every {@link #RESCAN_NANOS} all of them
 * are read and {@code /proc} is listed again for new processes, whose whole CPU counts (a process
 * that lives less than that is missed). Ticks are the kernel's (10 ms each): over tens of windows
 * the rates are a sampling profile of the whole machine.
 */
final class MachineCpu implements AutoCloseable {

  static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** A process whose ticks grew this recently is read at every sample, the others at rescans. */
  static final long ACTIVE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** PF_KTHREAD in the flags field of {@code /proc/<pid>/stat}. */
  private static final long KERNEL_THREAD = 0x00200000L;

  private final Map<Long, String> known;
  private final long periodNanos;
  private final Thread thread;
  private final Map<Long, Proc> procs = new HashMap<>();
  private final List<Long> times = new ArrayList<>();

  /** Processes that exited while sampled: their ticks still count. */
  private final List<Proc> gone = new ArrayList<>();

  private final ByteBuffer buf = ByteBuffer.allocate(1024);
  private volatile boolean stopped;
  private int errors;
  private RuntimeException firstError;
  private long lastScan;
  private boolean first = true;

  /**
   * One process: its label (a known pid's role, else its command as read at each rescan: a process
   * seen between its fork and its exec takes its program's name), the channel on its stat file, and
   * its ticks by sample.
   */
  private static final class Proc {
    final boolean knownPid;
    String label;
    final FileChannel stat;
    long last;
    long changed = Long.MIN_VALUE / 2; // when its ticks last grew (System.nanoTime)
    final Map<Integer, Integer> ticksBySample = new HashMap<>();

    Proc(boolean knownPid, String label, FileChannel stat, long last) {
      this.knownPid = knownPid;
      this.label = label;
      this.stat = stat;
      this.last = last;
    }
  }

  private MachineCpu(Map<Long, String> known, long periodNanos) {
    this.known = Map.copyOf(known);
    this.periodNanos = periodNanos;
    this.thread = Thread.ofPlatform().daemon().name("machine-cpu").unstarted(this::run);
  }

  /**
   * Starts sampling every {@code periodMillis}; {@code known} labels some pids (the services, the
   * servers, the load generator), every other process is named by its command ({@code (kernel)}
   * after a kernel thread's).
   */
  static MachineCpu start(Map<Long, String> known, long periodMillis) {
    MachineCpu m = new MachineCpu(known, TimeUnit.MILLISECONDS.toNanos(periodMillis));
    m.thread.start();
    return m;
  }

  private void run() {
    while (!stopped) {
      long now = System.nanoTime();
      synchronized (this) {
        try {
          boolean rescan = now - lastScan >= RESCAN_NANOS;
          if (rescan) {
            scan();
            lastScan = now;
          }
          sample(now, rescan);
        } catch (RuntimeException e) {
          // a sampler that dies explains no tail: count it, say it with the tail, go on
          if (errors++ == 0) {
            firstError = e;
          }
        }
      }
      long next = now + periodNanos - System.nanoTime();
      if (next > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(next);
      }
    }
  }

  /** Opens the stat file of each process not seen yet; those present at the start are baselined. */
  private void scan() {
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (procs.containsKey(pid)) {
          continue;
        }
        try {
          FileChannel ch = FileChannel.open(p.resolve("stat"));
          String stat = read(ch);
          if (stat == null) {
            ch.close();
            continue;
          }
          boolean knownPid = known.containsKey(pid);
          String label = knownPid ? known.get(pid) : label(stat);
          // present at the start: only what it uses from now on; started since: all of it
          procs.put(pid, new Proc(knownPid, label, ch, first ? ticks(stat) : 0));
        } catch (IOException | RuntimeException e) {
          // gone already
        }
      }
    } catch (IOException e) {
      // no /proc: nothing sampled
    }
    first = false;
  }

  /**
   * Reads the processes that used CPU within {@link #ACTIVE_NANOS}, or ({@code all}) every one:
   * most of a machine's processes are idle kernel threads, and reading each one's stat a hundred
   * times a second cost the load generator ~0.06 of the two cores.
   */
  private void sample(long now, boolean all) {
    int index = times.size();
    times.add(now);
    for (var it = procs.values().iterator(); it.hasNext(); ) {
      Proc p = it.next();
      if (!all && now - p.changed > ACTIVE_NANOS) {
        continue;
      }
      String stat = read(p.stat);
      if (stat == null) {
        closeQuietly(p.stat);
        it.remove();
        gone.add(p); // exited: what it used still counts
        continue;
      }
      if (all && !p.knownPid) {
        p.label = label(stat); // renamed by an exec since the last rescan
      }
      long t = ticks(stat);
      if (t > p.last) {
        p.ticksBySample.merge(index, (int) (t - p.last), Integer::sum);
        p.last = t;
        p.changed = now;
      }
    }
  }

  private String read(FileChannel ch) {
    try {
      buf.clear();
      int n = ch.read(buf, 0);
      return n <= 0 ? null : new String(buf.array(), 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
  }

  private static String label(String stat) {
    return command(stat) + (kernel(stat) ? " (kernel)" : "");
  }

  static String command(String stat) {
    return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  }

  /** User + system ticks: the 14th and 15th fields (12th and 13th after the command). */
  static long ticks(String stat) {
    int i = stat.lastIndexOf(')') + 2;
    for (int field = 0; field < 11; field++) {
      i = stat.indexOf(' ', i) + 1;
    }
    int end = stat.indexOf(' ', i);
    long user = Long.parseLong(stat, i, end, 10);
    int end2 = stat.indexOf(' ', end + 1);
    return user + Long.parseLong(stat, end + 1, end2, 10);
  }

  static boolean kernel(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[6]) & KERNEL_THREAD) != 0;
  }

  @Override
  public void close() {
    stopped = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      procs.values().forEach(p -> closeQuietly(p.stat));
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** A label's CPU inside the windows and outside them, in ms of CPU per second of wall time. */
  record Share(String label, double inside, double outside) {}

  /**
   * Each label's CPU rate inside {@code windows} (merged {from, to} pairs in {@link
   * System#nanoTime} terms, sorted) and in the rest of the sampled time, largest excess inside
   * first. A sample's ticks belong to the time between it and the sample before it; a sample counts
   * as inside when that time ends in a window.
   */
  synchronized List<Share> shares(List<long[]> windows) {
    int n = times.size();
    if (n < 2) {
      return List.of();
    }
    boolean[] inside = new boolean[n];
    double insideNanos = 0;
    double allNanos = times.get(n - 1) - times.get(0);
    int w = 0;
    for (int i = 1; i < n; i++) {
      long t = times.get(i);
      while (w < windows.size() && windows.get(w)[1] < t) {
        w++;
      }
      inside[i] = w < windows.size() && windows.get(w)[0] <= t;
      if (inside[i]) {
        insideNanos += t - times.get(i - 1);
      }
    }
    Map<String, long[]> byLabel = new LinkedHashMap<>();
    List<Proc> all = new ArrayList<>(procs.values());
    all.addAll(gone);
    for (Proc p : all) {
      long[] sums = byLabel.computeIfAbsent(p.label, k -> new long[2]);
      for (var e : p.ticksBySample.entrySet()) {
        if (e.getKey() == 0) {
          continue; // the first sample's ticks belong to no measured interval
        }
        sums[inside[e.getKey()] ? 0 : 1] += e.getValue();
      }
    }
    double tickMs = 10; // USER_HZ = 100 on Linux
    double in = insideNanos / 1e9;
    double out = (allNanos - insideNanos) / 1e9;
    List<Share> shares = new ArrayList<>();
    for (var e : byLabel.entrySet()) {
      long[] s = e.getValue();
      if (s[0] + s[1] == 0) {
        continue;
      }
      shares.add(
          new Share(
              e.getKey(), in > 0 ? s[0] * tickMs / in : 0, out > 0 ? s[1] * tickMs / out : 0));
    }
    shares.sort(Comparator.comparingDouble((Share s) -> s.outside() - s.inside()));
    return shares;
  }

  /**
   * The time spans of the requests slower than {@code thresholdNanos} in an open-loop schedule
   * (request i due at {@code startNanos + i * intervalNanos}, waiting {@code latencies[i]}; 0 = no
   * answer, skipped), widened by {@code marginNanos} on both sides and merged where they overlap.
   */
  static List<long[]> slowWindows(
      long[] latencies,
      long startNanos,
      long intervalNanos,
      long thresholdNanos,
      long marginNanos) {
    long[] starts = new long[latencies.length];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = startNanos + i * intervalNanos;
    }
    return slowWindows(starts, latencies, thresholdNanos, marginNanos);
  }

  /**
   * {@link #slowWindows(long[], long, long, long, long)} of requests sent at {@code starts} (in
   * order, {@link System#nanoTime} terms).
   */
  static List<long[]> slowWindows(
      long[] starts, long[] latencies, long thresholdNanos, long marginNanos) {
    List<long[]> windows = new ArrayList<>();
    for (int i = 0; i < latencies.length; i++) {
      if (latencies[i] <= thresholdNanos) {
        continue;
      }
      long from = starts[i] - marginNanos;
      long to = starts[i] + latencies[i] + marginNanos;
      long[] last = windows.isEmpty() ? null : windows.get(windows.size() - 1);
      if (last != null && from <= last[1]) {
        last[1] = Math.max(last[1], to);
      } else {
        windows.add(new long[] {from, to});
      }
    }
    return windows;
  }

  /**
   * Prints the {@code rows} labels that used the most CPU over the whole sampled time, in cores
   * (1.0 = one core busy all along): what the run cost beside the requests it timed (under sparse
   * traffic, the engine's refills). A process that lived less than a rescan period may be missed;
   * its CPU is in its parent's reaped children's, which this does not read.
   */
  void printBusiest(PrintStream out, int rows) {
    List<Share> all = new ArrayList<>(shares(List.of()));
    all.sort(Comparator.comparingDouble(Share::outside).reversed());
    StringBuilder b = new StringBuilder("CPU over the run (cores, busiest first):");
    double sum = 0;
    for (Share s : all) {
      sum += s.outside();
    }
    for (int i = 0; i < Math.min(rows, all.size()); i++) {
      b.append(String.format(" %s %.2f,", all.get(i).label(), all.get(i).outside() / 1000));
    }
    b.append(String.format(" all %.2f", sum / 1000));
    out.println(b);
  }

  /**
   * Prints what had the cores while the slow requests waited: the windows' count and spacing, and
   * the labels whose CPU rate inside them exceeds their rate outside, most first.
   */
  void printTail(PrintStream out, List<long[]> windows, long thresholdNanos, int rows) {
    if (windows.isEmpty()) {
      out.printf("tail: no request over %.0f ms%n", thresholdNanos / 1e6);
      return;
    }
    long[] gaps = new long[windows.size() - 1];
    for (int i = 1; i < windows.size(); i++) {
      gaps[i - 1] = windows.get(i)[0] - windows.get(i - 1)[0];
    }
    java.util.Arrays.sort(gaps);
    out.printf(
        "tail: %d stalls (runs of requests over %.0f ms), median spacing %s; the machine's CPU"
            + " (ms a second) while they waited, against the rest of the measured load:%n",
        windows.size(),
        thresholdNanos / 1e6,
        gaps.length == 0 ? "-" : String.format("%.0f ms", gaps[gaps.length / 2] / 1e6));
    synchronized (this) {
      if (errors > 0) {
        out.printf("  (the sampler failed %d times, first: %s)%n", errors, firstError);
      }
    }
    int shown = 0;
    for (Share s : shares(windows)) {
      if (shown++ == rows || s.inside() <= s.outside()) {
        break;
      }
      out.printf("  %-36s %7.1f against %7.1f%n", s.label(), s.inside(), s.outside());
    }
  }
}
