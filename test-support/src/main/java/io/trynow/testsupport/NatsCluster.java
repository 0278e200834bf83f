package io.trynow.testsupport;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A three-node (or n-node) JetStream cluster of real {@code nats-server}s on loopback: each node
 * has its own client port, route port and store dir, and routes to all the others. Any node can be
 * killed and restarted; clients get every node's URL as seeds ({@link #urls()}).
 */
public final class NatsCluster implements AutoCloseable {

  private final List<NatsServer> nodes = new ArrayList<>();

  private NatsCluster(int size) {
    String clusterName = "trynow-test-" + ProcessHandle.current().pid();
    List<Integer> routePorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      routePorts.add(FreePorts.one());
    }
    for (int i = 0; i < size; i++) {
      nodes.add(
          new NatsServer(
              new NatsServer.Membership(
                  "n" + (i + 1), clusterName, routePorts.get(i), routePorts)));
    }
  }

  /** Starts {@code size} nodes and waits until JetStream answers with a meta leader. */
  public static NatsCluster start(int size) {
    NatsCluster cluster = new NatsCluster(size);
    try {
      cluster.nodes.forEach(NatsServer::start);
      cluster.awaitJetStream(Duration.ofSeconds(60));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public List<NatsServer> nodes() {
    return List.copyOf(nodes);
  }

  public NatsServer node(int index) {
    return nodes.get(index);
  }

  /** Every node's URL, comma-separated: what a client's seed list is. */
  public String urls() {
    return nodes.stream().map(NatsServer::url).collect(Collectors.joining(","));
  }

  /**
   * Waits until the cluster serves JetStream with every node in it: a replicated probe stream can
   * be placed (and is deleted again).
   */
  public void awaitJetStream(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    RuntimeException last = null;
    while (Instant.now().isBefore(deadline)) {
      Options options =
          Options.builder()
              .servers(urls().split(","))
              .connectionTimeout(Duration.ofSeconds(2))
              .maxReconnects(0)
              .build();
      try (Connection nc = Nats.connect(options)) {
        // every node has joined JetStream once a stream at R<size> can be placed
        var jsm = nc.jetStreamManagement();
        String probe = "HARNESS_PROBE_" + System.nanoTime();
        jsm.addStream(
            io.nats.client.api.StreamConfiguration.builder()
                .name(probe)
                .subjects("harness.probe." + probe)
                .storageType(io.nats.client.api.StorageType.Memory)
                .replicas(Math.min(3, nodes.size()))
                .build());
        jsm.deleteStream(probe);
        return;
      } catch (Exception e) {
        last = new IllegalStateException(e);
      }
      ManagedServer.sleep(200);
    }
    throw new IllegalStateException("the NATS cluster has no JetStream leader in " + timeout, last);
  }

  @Override
  public void close() {
    nodes.forEach(NatsServer::close);
  }
}
