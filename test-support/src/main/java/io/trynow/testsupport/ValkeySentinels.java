package io.trynow.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Sentinel topology on loopback: a primary, one or two replicas and one or three sentinels
 * (quorum 1 or 2; {@code down-after-milliseconds} 1000, so a dead primary is failed over within a
 * few seconds). The data nodes take the same {@link ValkeyServer.Options} (TLS, password, ACL user)
 * and the sentinels follow them (TLS listener, {@code auth-user}/{@code auth-pass}, and the same
 * ACL user: a client may log in to sentinels and nodes with one set of credentials). With two
 * replicas, one is still there after a failover (what {@code WAIT 1} needs).
 *
 * <pre>{@code
 * try (ValkeySentinels s = ValkeySentinels.start(1)) {          // or start(3, options)
 *   Store store = ...connect to s.masterName() via s.sentinelUrls()...
 *   ValkeyServer old = s.killPrimary();                        // SIGKILL (kill -9) by PID
 *   ValkeyServer now = s.awaitFailover(Duration.ofSeconds(15)); // the promoted replica
 * }
 * }</pre>
 *
 * {@link #start} returns once the replica is in sync and every sentinel knows the replica (and the
 * other sentinels), so a kill right after it fails over.
 */
public final class ValkeySentinels implements AutoCloseable {

  /** The master name the sentinels monitor. */
  public static final String MASTER_NAME = "trynow-primary";

  private final List<ValkeyServer> nodes = new ArrayList<>();
  private final List<SentinelServer> sentinels = new ArrayList<>();

  private ValkeySentinels() {}

  /** A plain topology (no TLS, no password) with {@code sentinels} = 1 or 3 sentinels. */
  public static ValkeySentinels start(int sentinels) {
    return start(sentinels, new ValkeyServer.Options());
  }

  /** One replica; data nodes use {@code options} (TLS, password, ACL user). */
  public static ValkeySentinels start(int sentinels, ValkeyServer.Options options) {
    return start(sentinels, 1, options);
  }

  /** {@code sentinels} (1 or 3) sentinels, {@code replicas} (1 or 2) replicas. */
  public static ValkeySentinels start(int sentinels, int replicas, ValkeyServer.Options options) {
    if (sentinels != 1 && sentinels != 3) {
      throw new IllegalArgumentException("1 or 3 sentinels");
    }
    if (replicas != 1 && replicas != 2) {
      throw new IllegalArgumentException("1 or 2 replicas");
    }
    ValkeySentinels t = new ValkeySentinels();
    try {
      ValkeyServer primary = new ValkeyServer(options.copy().replicaOf(0));
      t.nodes.add(primary);
      primary.start();
      for (int i = 0; i < replicas; i++) {
        ValkeyServer replica = new ValkeyServer(options.copy().replicaOf(primary.port()));
        t.nodes.add(replica);
        replica.start();
      }
      int quorum = sentinels == 1 ? 1 : 2;
      for (int i = 0; i < sentinels; i++) {
        SentinelServer s = new SentinelServer(MASTER_NAME, primary.port(), quorum, options.copy());
        t.sentinels.add(s);
        s.start();
      }
      t.awaitStable(Duration.ofSeconds(30));
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  public String masterName() {
    return MASTER_NAME;
  }

  /** {@code redis://127.0.0.1:<port>} (or {@code rediss://}) of every sentinel. */
  public List<String> sentinelUrls() {
    return sentinels.stream().map(SentinelServer::url).toList();
  }

  public List<SentinelServer> sentinels() {
    return List.copyOf(sentinels);
  }

  /** The data nodes (the first one started as primary). */
  public List<ValkeyServer> nodes() {
    return List.copyOf(nodes);
  }

  /** The node the (first answering) sentinel names as primary. */
  public ValkeyServer primary() {
    return node(namedPrimaryPort());
  }

  /** SIGKILL (kill -9 by PID) of the current primary; returns the killed node. */
  public ValkeyServer killPrimary() {
    ValkeyServer p = primary();
    p.kill();
    return p;
  }

  /**
   * Waits until every live sentinel names a live node other than the one named now (call it after
   * {@link #killPrimary}) and that node says it is a master; returns it.
   */
  public ValkeyServer awaitFailover(Duration timeout) {
    int before = -1;
    for (ValkeyServer n : nodes) {
      if (!n.isRunning()) {
        before = n.port();
      }
    }
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      ValkeyServer promoted = promotedOtherThan(before);
      if (promoted != null) {
        return promoted;
      }
      ManagedServer.sleep(100);
    }
    throw new IllegalStateException(
        "no failover within " + timeout + "; sentinel log: " + sentinels.get(0).tail());
  }

  private ValkeyServer promotedOtherThan(int oldPort) {
    int named = 0;
    for (SentinelServer s : sentinels) {
      if (!s.isRunning()) {
        continue;
      }
      int p;
      try {
        p = s.primaryPort();
      } catch (RuntimeException e) {
        return null;
      }
      if (p == 0 || p == oldPort || (named != 0 && p != named)) {
        return null;
      }
      named = p;
    }
    ValkeyServer n = node(named);
    if (!n.isRunning()) {
      return null;
    }
    try {
      Object role = n.call("ROLE");
      return role instanceof List<?> l && "master".equals(l.get(0)) ? n : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private int namedPrimaryPort() {
    RuntimeException last = null;
    for (SentinelServer s : sentinels) {
      if (!s.isRunning()) {
        continue;
      }
      try {
        int p = s.primaryPort();
        if (p != 0) {
          return p;
        }
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no sentinel names a primary", last);
  }

  private ValkeyServer node(int port) {
    for (ValkeyServer n : nodes) {
      if (n.port() == port) {
        return n;
      }
    }
    throw new IllegalStateException("sentinels name 127.0.0.1:" + port + ", not one of ours");
  }

  private void awaitStable(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String why = "";
    while (Instant.now().isBefore(deadline)) {
      why = unstableBecause();
      if (why == null) {
        return;
      }
      ManagedServer.sleep(100);
    }
    throw new IllegalStateException("sentinel topology not ready within " + timeout + ": " + why);
  }

  /** Null when the replicas are in sync and every sentinel sees them and the others. */
  private String unstableBecause() {
    for (ValkeyServer replica : nodes.subList(1, nodes.size())) {
      if (!"up".equals(replica.info("replication", "master_link_status"))) {
        return "replica " + replica.port() + " link not up";
      }
    }
    for (SentinelServer s : sentinels) {
      Object replicas = s.call("SENTINEL", "REPLICAS", MASTER_NAME);
      if (!(replicas instanceof List<?> l)
          || l.size() != nodes.size() - 1
          || !l.stream().allMatch(r -> field(r, "flags").equals("slave"))) {
        return "sentinel " + s.port() + " does not see the replicas yet: " + replicas;
      }
      Object master = s.call("SENTINEL", "MASTER", MASTER_NAME);
      String others = field(master, "num-other-sentinels");
      if (!Objects.equals(others, String.valueOf(sentinels.size() - 1))) {
        return "sentinel " + s.port() + " sees " + others + " other sentinels";
      }
    }
    return null;
  }

  private static String field(Object flat, String name) {
    if (flat instanceof List<?> l) {
      for (int i = 0; i + 1 < l.size(); i += 2) {
        if (name.equals(l.get(i))) {
          return String.valueOf(l.get(i + 1));
        }
      }
    }
    return "";
  }

  @Override
  public void close() {
    for (SentinelServer s : sentinels) {
      s.close();
    }
    for (ValkeyServer n : nodes) {
      n.close();
    }
  }
}
