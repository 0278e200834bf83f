package io.trynow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * One real {@code valkey-sentinel} / {@code redis-sentinel} on loopback watching one primary. Made
 * by {@link ValkeySentinels}; its config file lives in its temp dir (Sentinel rewrites it).
 */
public final class SentinelServer extends ManagedServer {

  private final String masterName;
  private final int primaryPort;
  private final int quorum;
  private final ValkeyServer.Options nodes;
  private volatile SSLContext clientTls;

  SentinelServer(String masterName, int primaryPort, int quorum, ValkeyServer.Options nodes) {
    super(
        Binaries.require("valkey-sentinel", "redis-sentinel"), FreePorts.one(), "trynow-sentinel-");
    this.masterName = masterName;
    this.primaryPort = primaryPort;
    this.quorum = quorum;
    this.nodes = nodes;
  }

  @Override
  public String name() {
    return "sentinel";
  }

  /** {@code redis://127.0.0.1:<port>} ({@code rediss://} when the nodes use TLS). */
  public String url() {
    return (nodes.tls != null ? "rediss" : "redis") + "://127.0.0.1:" + port;
  }

  @Override
  protected List<String> command() {
    Path conf = dir.resolve("sentinel.conf");
    if (!Files.exists(conf)) {
      List<String> lines = new ArrayList<>();
      if (nodes.tls != null) {
        lines.add("port 0");
        lines.add("tls-port " + port);
        lines.add("tls-cert-file " + nodes.tls.serverCert());
        lines.add("tls-key-file " + nodes.tls.serverKey());
        lines.add("tls-ca-cert-file " + nodes.tls.ca());
        lines.add("tls-auth-clients yes");
        lines.add("tls-replication yes");
      } else {
        lines.add("port " + port);
      }
      lines.add("bind 127.0.0.1");
      lines.add("daemonize no");
      lines.add("dir " + dir);
      lines.add("sentinel monitor " + masterName + " 127.0.0.1 " + primaryPort + " " + quorum);
      lines.add("sentinel down-after-milliseconds " + masterName + " 1000");
      lines.add("sentinel failover-timeout " + masterName + " 10000");
      lines.add("sentinel parallel-syncs " + masterName + " 1");
      if (nodes.aclUser != null) {
        // clients that log in to the nodes as this user (Vert.x uses one set of credentials for
        // sentinels and nodes) may log in to the sentinels too
        lines.add("user " + nodes.aclUser + " on >" + nodes.aclPassword + " ~* &* +@all");
        lines.add("sentinel auth-user " + masterName + " " + nodes.aclUser);
        lines.add("sentinel auth-pass " + masterName + " " + nodes.aclPassword);
      } else if (nodes.password != null) {
        lines.add("sentinel auth-pass " + masterName + " " + nodes.password);
      }
      try {
        Files.write(conf, lines);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.of(binary, conf.toString());
  }

  @Override
  protected boolean answers() {
    try {
      return "PONG".equals(call("PING"));
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * One command to this sentinel: as the nodes' ACL user when there is one (sentinels know it too),
   * else without AUTH (the default user of a sentinel has no password).
   */
  public Object call(String... args) {
    SSLContext ctx = null;
    if (nodes.tls != null) {
      if (clientTls == null) {
        clientTls = nodes.tls.clientContext();
      }
      ctx = clientTls;
    }
    try {
      return new RespProbe("127.0.0.1", port, ctx, nodes.aclUser, nodes.aclPassword).call(args);
    } catch (IOException e) {
      throw new IllegalStateException("sentinel command failed: " + String.join(" ", args), e);
    }
  }

  /** The port of the primary this sentinel names now, or 0 when it names none. */
  public int primaryPort() {
    Object r = call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
    if (r instanceof List<?> l && l.size() == 2) {
      return Integer.parseInt(String.valueOf(l.get(1)));
    }
    return 0;
  }
}
