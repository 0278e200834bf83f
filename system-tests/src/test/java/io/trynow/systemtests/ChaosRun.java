package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.testsupport.SampleImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One chaos run: a stack with the services' own settings (only the visitor limits of the test
 * stacks changed), {@link ChaosVisitors} throughout, and {@link #fault} — kill -9 one component
 * mid-traffic, restore it, then measure the settle time and check every invariant. The measured
 * rows are printed as a table and written to {@code target/chaos/settle.txt}.
 */
final class ChaosRun implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ChaosRun.class);

  static final String TEMPLATE = "hello";

  /** Ready instances the pool keeps. */
  static final int TARGET = 4;

  /** Visitors arriving per second ({@code -Dchaos.rate=…} to change). */
  static final double RATE = Double.parseDouble(System.getProperty("chaos.rate", "1.5"));

  /** A fault starts only after this many requests were accepted since the last one settled. */
  private static final int WARM_ACCEPTED = 4;

  /** Where the tables go. */
  static final Path OUT = Path.of("target", "chaos");

  final Stack stack;
  final ChaosVisitors visitors;
  private final String name;
  private final List<String> rows = new ArrayList<>();

  private ChaosRun(String name, Stack stack) {
    this.name = name;
    this.stack = stack;
    this.visitors = new ChaosVisitors(stack, TEMPLATE, RATE);
    watcher.start();
  }

  /**
   * A single-replica stack; {@code hello} kept at {@link #TARGET} ready with the template's own
   * health timeout (which sizes the provisioner's claim lease) and every service's recovery
   * settings (leases, AckWaits, sweeper) at their defaults: the figures are what an operator gets.
   */
  static ChaosRun start(String name) {
    Stack stack =
        Stacks.visitorLimits(Stack.builder(name))
            .template(
                TEMPLATE,
                Map.of(
                    "image", SampleImage.IMAGE,
                    "min-ready", String.valueOf(TARGET),
                    "max-total", "20",
                    "max-in-flight", "4",
                    "default-ttl", "10m",
                    "max-lifetime", "30m"))
            .start();
    try {
      return new ChaosRun(name, stack);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** What one fault measured. */
  record Row(
      ChaosFault fault,
      Duration down,
      Duration settle,
      boolean settled,
      Duration gone,
      int accepted,
      int served,
      int toldFailed,
      int unanswered,
      int probes,
      int failedProbes,
      List<String> violations) {

    boolean withinBounds() {
      return settled
          && settle.compareTo(fault.settleBound) <= 0
          && gone.compareTo(fault.goneBound) <= 0;
    }
  }

  /** The state before the first fault: the pool at its target, everything consistent. */
  void awaitSteady() {
    visitors.stopArrivals();
    Instant from = Instant.now();
    Settle s = settle(from, Duration.ofSeconds(120));
    assertThat(s.settled).as("steady before the faults: " + s.last).isTrue();
    assertThat(check(List.copyOf(visitors.ledger))).as("invariants before the faults").isEmpty();
    visitors.startArrivals();
  }

  /**
   * Kills {@code f} mid-traffic, restores it, stops new arrivals and measures: settle = restore →
   * no visit open (queued visitors served or told), nothing queued, the pool at its target, {@link
   * Convergence} clean, every released demo's container gone and every held demo answering through
   * Caddy; gone = the longest a released demo's container outlived {@code max(release, restore)}.
   */
  Row fault(ChaosFault f) {
    Set<ChaosVisitors.Request> before = new HashSet<>(visitors.ledger);
    int probes0 = visitors.probes.get();
    int failed0 = visitors.failedProbes.get();
    visitors.startArrivals();
    awaitAccepted(before.size());

    Instant killed = Instant.now();
    LOG.infof("chaos %s: kill -9 %s", name, f.label());
    f.kill(stack);
    f.restore(stack);
    Instant restored = Instant.now();
    visitors.stopArrivals();
    LOG.infof("chaos %s: %s restored after %d ms", name, f.label(), ms(killed, restored));

    Duration limit =
        f.settleBound.compareTo(Duration.ofSeconds(60)) < 0
            ? Duration.ofSeconds(60)
            : f.settleBound.plusSeconds(30);
    Settle s = settle(restored, limit);
    List<ChaosVisitors.Request> window =
        visitors.ledger.stream().filter(r -> !before.contains(r)).toList();
    List<String> violations = check(List.copyOf(visitors.ledger));
    Row row =
        new Row(
            f,
            Duration.between(killed, restored),
            s.settled ? Duration.between(restored, s.at) : limit,
            s.settled,
            goneAfter(restored),
            (int) window.stream().filter(r -> r.rid != null && r.toldFailed == null).count(),
            (int) window.stream().filter(r -> r.instanceId != null).count(),
            (int) window.stream().filter(r -> r.toldFailed != null).count(),
            (int) window.stream().filter(r -> r.unanswered).count(),
            visitors.probes.get() - probes0,
            visitors.failedProbes.get() - failed0,
            violations);
    record(row, s);
    return row;
  }

  /** Asserts a row: invariants strictly, times against the fault's bound. */
  static void assertRow(Row row) {
    ChaosFault f = row.fault();
    assertThat(row.violations()).as(f.label() + ": invariants").isEmpty();
    assertThat(row.settled()).as(f.label() + ": settled within " + row.settle()).isTrue();
    assertThat(row.settle())
        .as(f.label() + ": settle time (bound " + f.settleBound + ")")
        .isLessThanOrEqualTo(f.settleBound);
    assertThat(row.gone())
        .as(f.label() + ": released demos' containers gone (bound " + f.goneBound + ")")
        .isLessThanOrEqualTo(f.goneBound);
  }

  private void awaitAccepted(int from) {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      long answered =
          visitors.ledger.stream().skip(from).filter(r -> r.rid != null && !r.open).count();
      if (answered >= WARM_ACCEPTED) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new AssertionError("no traffic: fewer than " + WARM_ACCEPTED + " acquires answered");
  }

  private record Settle(boolean settled, Instant at, List<String> last) {}

  private Settle settle(Instant from, Duration limit) {
    Instant deadline = from.plus(limit);
    List<String> waiting = List.of("not checked");
    Instant lastReport = from;
    while (Instant.now().isBefore(deadline)) {
      Instant at = Instant.now();
      try {
        waiting = unsettled(from);
      } catch (RuntimeException e) {
        waiting = List.of("cannot check: " + e);
      }
      if (waiting.isEmpty()) {
        return new Settle(true, at, waiting);
      }
      if (Duration.between(lastReport, at).toSeconds() >= 5) {
        LOG.infof(
            "chaos %s: %d s after the restore, waiting for: %s",
            name, Duration.between(from, at).toSeconds(), waiting);
        lastReport = at;
      }
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
    LOG.warnf("chaos %s: not settled within %s: %s", name, limit, waiting);
    return new Settle(false, Instant.now(), waiting);
  }

  /** What keeps the stack from being settled now (empty: settled). */
  private List<String> unsettled(Instant since) {
    List<String> p = new ArrayList<>();
    long open = visitors.open();
    if (open > 0) {
      p.add(open + " visits still open");
    }
    PoolStats st = stack.store().poolStats(TEMPLATE);
    if (st.waiting() > 0) {
      p.add(st.waiting() + " queued");
    }
    if (st.ready() != TARGET) {
      p.add("ready " + st.ready() + " of " + TARGET);
    }
    if (!p.isEmpty()) {
      return p; // cheap checks first
    }
    Set<String> lingering = new HashSet<>(visitors.released.keySet());
    lingering.retainAll(containerIds());
    if (!lingering.isEmpty()) {
      p.add("released demos' containers still there: " + lingering);
    }
    List<String> silent = visitors.heldNotAnsweredSince(since);
    if (!silent.isEmpty()) {
      p.add("held demos not answering through Caddy: " + silent);
    }
    p.addAll(Convergence.problems(stack));
    return p;
  }

  private Set<String> containerIds() {
    return stack.containers().stream()
        .map(c -> c.getLabels().get(Labels.INSTANCE))
        .collect(Collectors.toSet());
  }

  /**
   * The longest a released demo's container outlived {@code max(its release, restored)}, from the
   * watcher's observations (every released demo's container is gone once the settle passed).
   */
  private Duration goneAfter(Instant restored) {
    Instant now = Instant.now();
    Duration max = Duration.ZERO;
    for (Map.Entry<String, Instant> e : visitors.released.entrySet()) {
      Instant from = e.getValue().isAfter(restored) ? e.getValue() : restored;
      Instant g = goneAt.getOrDefault(e.getKey(), now);
      if (g.isAfter(from)) {
        Duration d = Duration.between(from, g);
        if (d.compareTo(max) > 0) {
          max = d;
        }
      }
    }
    return max;
  }

  /** Every 250 ms: which released demos' containers are gone, and since when. */
  private void watchContainers() {
    while (watching) {
      try {
        Set<String> present = containerIds();
        Instant now = Instant.now();
        for (String id : visitors.released.keySet()) {
          if (!present.contains(id)) {
            goneAt.putIfAbsent(id, now);
          }
        }
      } catch (RuntimeException e) {
        LOG.debugf("container watch: %s", e.toString());
      }
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
  }

  /** When each released demo's container was first seen gone. */
  private final Map<String, Instant> goneAt = new java.util.concurrent.ConcurrentHashMap<>();

  private volatile boolean watching = true;
  private final Thread watcher =
      Thread.ofPlatform().daemon().name("chaos-containers").unstarted(this::watchContainers);

  /**
   * The invariants, against Valkey, over every request so far: no demo assigned to a request the
   * visitor was told failed; what a served visitor was given is what Valkey assigned to its
   * request; no demo went to two requests; no accepted request is left without an end; no visitor
   * saw anything unexpected. Plus the store's consistency checker (in {@link Convergence}).
   */
  List<String> check(List<ChaosVisitors.Request> ledger) {
    List<String> v = new ArrayList<>(visitors.violations);
    Map<String, String> assignedTo = new HashMap<>(); // rid held by an assigned instance
    for (Instance i : stack.store().instances(InstanceState.ASSIGNED)) {
      if (i.requestId() != null) {
        assignedTo.put(i.requestId(), i.id());
      }
    }
    Map<String, String> servedBy = new HashMap<>();
    for (ChaosVisitors.Request r : ledger) {
      if (r.open) {
        continue;
      }
      if (r.toldFailed != null && r.rid != null) {
        RecordView rec = RecordView.of(stack, r.rid);
        if (rec.state == RequestState.ASSIGNED || assignedTo.containsKey(r.rid)) {
          v.add(
              "told failed ("
                  + r.toldFailed
                  + ") but Valkey assigned "
                  + (rec.instanceId != null ? rec.instanceId : assignedTo.get(r.rid))
                  + " to request "
                  + r.rid);
        }
      }
      if (r.instanceId != null) {
        String other = servedBy.put(r.instanceId, r.rid);
        if (other != null && !other.equals(r.rid)) {
          v.add("demo " + r.instanceId + " handed to requests " + other + " and " + r.rid);
        }
        RecordView rec = RecordView.of(stack, r.rid);
        if (!r.instanceId.equals(rec.instanceId)) {
          v.add(
              "request "
                  + r.rid
                  + " was given "
                  + r.instanceId
                  + ", Valkey says "
                  + rec.state
                  + " "
                  + rec.instanceId);
        }
      }
    }
    return v;
  }

  /** A request's record in Valkey, or an empty view when there is none. */
  private record RecordView(RequestState state, String instanceId) {
    static RecordView of(Stack stack, String rid) {
      return stack
          .store()
          .request(rid)
          .map((RequestRecord r) -> new RecordView(r.state(), r.instanceId()))
          .orElse(new RecordView(null, null));
    }
  }

  // ---- the table --------------------------------------------------------------------------------

  static final String HEADER =
      String.format(
          Locale.ROOT,
          "%-19s %7s %8s %7s %13s %5s %5s %6s %5s %9s %s",
          "fault",
          "down s",
          "settle s",
          "gone s",
          "bound s/gone",
          "acc",
          "srvd",
          "failed",
          "noans",
          "probes ✗",
          "result");

  private void record(Row r, Settle s) {
    String line =
        String.format(
            Locale.ROOT,
            "%-19s %7.1f %8s %7.1f %13s %5d %5d %6d %5d %9s %s",
            r.fault().label(),
            r.down().toMillis() / 1000.0,
            (r.settled() ? "" : ">")
                + String.format(Locale.ROOT, "%.1f", r.settle().toMillis() / 1000.0),
            r.gone().toMillis() / 1000.0,
            r.fault().settleBound.toSeconds()
                + "/"
                + r.fault().goneBound.toSeconds()
                + (r.fault().awaiting != null ? "*" : ""),
            r.accepted(),
            r.served(),
            r.toldFailed(),
            r.unanswered(),
            r.failedProbes() + "/" + r.probes(),
            !r.violations().isEmpty()
                ? "INVARIANT " + r.violations().size()
                : r.withinBounds() ? "ok" : "SLOW");
    rows.add(line);
    LOG.infof("chaos %s: %s", name, line);
    if (!s.settled()) {
      LOG.warnf("chaos %s: %s left unsettled: %s", name, r.fault().label(), s.last());
    }
    for (String v : r.violations()) {
      LOG.errorf("chaos %s: %s: %s", name, r.fault().label(), v);
    }
  }

  /** The table of this run (also written to {@code target/chaos/}). */
  String table() {
    StringBuilder b = new StringBuilder();
    b.append("chaos suite ")
        .append(name)
        .append(" — ")
        .append(Instant.now())
        .append(", ")
        .append(RATE)
        .append(" visitors/s, pool target ")
        .append(TARGET)
        .append(", load ")
        .append(loadAverage())
        .append('\n')
        .append(HEADER)
        .append('\n');
    rows.forEach(r -> b.append(r).append('\n'));
    b.append(
        "settle/gone: seconds after the restore; bound * = looser than the target (20/10)"
            + " until its fix lands, see ChaosFault\n");
    return b.toString();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private void writeTable() {
    String t = table();
    System.out.println(t);
    try {
      Files.createDirectories(OUT);
      Files.writeString(OUT.resolve(name + ".txt"), t);
      Files.writeString(
          OUT.resolve("settle.txt"),
          t + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long ms(Instant a, Instant b) {
    return Duration.between(a, b).toMillis();
  }

  @Override
  public void close() {
    try {
      visitors.close();
      watching = false;
      writeTable();
    } finally {
      stack.close();
    }
  }
}
