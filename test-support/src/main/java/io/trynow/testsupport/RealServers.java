package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A set of real servers for one test class: any of NATS (JetStream), Valkey and Caddy, each on free
 * loopback ports in its own temp dir, plus the host's Docker engine. Each server can be killed and
 * restarted by the test. A set that cannot be made whole (no Docker engine, a server that does not
 * start) leaves no server running.
 */
public final class RealServers implements AutoCloseable {

  /** The servers a test can ask for. */
  public enum Kind {
    NATS,
    VALKEY,
    CADDY,
    DOCKER
  }

  private final NatsServer nats;
  private final ValkeyServer valkey;
  private final CaddyServer caddy;
  private final boolean docker;

  private RealServers(Set<Kind> kinds) {
    this(kinds, DockerEngine::client, NatsServer::new, ValkeyServer::new, CaddyServer::new);
  }

  /**
   * Checks the Docker engine before any server starts (an engine that does not answer then leaves
   * nothing behind), then starts the servers in order; when one fails to start, the ones started
   * before it, and its own process if it has one, are closed before the failure is thrown.
   */
  RealServers(
      Set<Kind> kinds,
      Runnable dockerCheck,
      Supplier<NatsServer> newNats,
      Supplier<ValkeyServer> newValkey,
      Supplier<CaddyServer> newCaddy) {
    this.docker = kinds.contains(Kind.DOCKER);
    if (docker) {
      dockerCheck.run();
    }
    List<ManagedServer> started = new ArrayList<>();
    try {
      this.nats = kinds.contains(Kind.NATS) ? start(newNats, started) : null;
      this.valkey = kinds.contains(Kind.VALKEY) ? start(newValkey, started) : null;
      this.caddy = kinds.contains(Kind.CADDY) ? start(newCaddy, started) : null;
    } catch (RuntimeException | Error e) {
      for (ManagedServer s : started.reversed()) {
        try {
          s.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  /** Records the server before starting it: a start that fails may leave its process running. */
  private static <S extends ManagedServer> S start(
      Supplier<S> factory, List<ManagedServer> started) {
    S server = factory.get();
    started.add(server);
    server.start();
    return server;
  }

  public static RealServers start(Kind first, Kind... rest) {
    return new RealServers(EnumSet.of(first, rest));
  }

  public static RealServers startAll() {
    return new RealServers(EnumSet.allOf(Kind.class));
  }

  public NatsServer nats() {
    return require(nats, Kind.NATS);
  }

  public ValkeyServer valkey() {
    return require(valkey, Kind.VALKEY);
  }

  public CaddyServer caddy() {
    return require(caddy, Kind.CADDY);
  }

  public DockerClient docker() {
    if (!docker) {
      throw new IllegalStateException("this test did not ask for " + Kind.DOCKER);
    }
    return DockerEngine.client();
  }

  private static <T> T require(T server, Kind kind) {
    if (server == null) {
      throw new IllegalStateException("this test did not ask for " + kind);
    }
    return server;
  }

  @Override
  public void close() {
    for (ManagedServer s : new ManagedServer[] {caddy, valkey, nats}) {
      if (s != null) {
        s.close();
      }
    }
  }
}
