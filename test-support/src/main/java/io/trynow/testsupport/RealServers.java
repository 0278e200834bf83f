package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import java.util.EnumSet;
import java.util.Set;

/**
 * A set of real servers for one test class: any of NATS (JetStream), Valkey and Caddy, each on free
 * loopback ports in its own temp dir, plus the host's Docker engine. Each server can be killed and
 * restarted by the test.
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
    this.nats = kinds.contains(Kind.NATS) ? (NatsServer) new NatsServer().start() : null;
    this.valkey = kinds.contains(Kind.VALKEY) ? (ValkeyServer) new ValkeyServer().start() : null;
    this.caddy = kinds.contains(Kind.CADDY) ? (CaddyServer) new CaddyServer().start() : null;
    this.docker = kinds.contains(Kind.DOCKER);
    if (docker) {
      DockerEngine.client();
    }
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
