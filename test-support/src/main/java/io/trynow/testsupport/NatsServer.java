package io.trynow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real {@code nats-server -js} on loopback, JetStream data in its temp dir; alone, or one node of
 * a {@link NatsCluster} (then started from a config file with its cluster routes).
 */
public final class NatsServer extends ManagedServer {

  /** How a node joins a cluster: its name, its route port, and every node's route port. */
  record Membership(String serverName, String clusterName, int clusterPort, List<Integer> routes) {}

  /**
   * Who may connect: users with passwords and NKey users (public keys, {@code U...}); or one token;
   * or the users of an operator's account (operator mode, JWT credentials). Empty: anyone.
   */
  public record Auth(
      List<String[]> users, List<String> nkeys, String token, NatsOperator operator) {
    public Auth(List<String[]> users, List<String> nkeys) {
      this(users, nkeys, null, null);
    }

    public static Auth user(String user, String password) {
      return new Auth(List.<String[]>of(new String[] {user, password}), List.of());
    }

    public static Auth nkey(String publicKey) {
      return new Auth(List.of(), List.of(publicKey));
    }

    /** {@code authorization { token }}: a server takes no users beside a token. */
    public static Auth token(String token) {
      return new Auth(List.of(), List.of(), token, null);
    }

    /** Operator mode: users with a JWT issued by the operator's account ({@code .creds}). */
    public static Auth operator(NatsOperator operator) {
      return new Auth(List.of(), List.of(), null, operator);
    }

    /** Both kinds of users in one server. */
    public Auth and(Auth other) {
      List<String[]> u = new java.util.ArrayList<>(users);
      u.addAll(other.users);
      List<String> n = new java.util.ArrayList<>(nkeys);
      n.addAll(other.nkeys);
      return new Auth(u, n);
    }
  }

  /**
   * TLS with the harness' certificates ({@code tls}: server certificate for 127.0.0.1, clients
   * verified against its CA when {@code verifyClients}) and the users of {@code auth} (or null).
   */
  public record Security(TlsFiles tls, boolean verifyClients, Auth auth) {}

  private final Membership membership;
  private final Security security;

  public NatsServer() {
    this(null, null);
  }

  /** A server that requires TLS and, if {@code security.auth()} is set, one of its users. */
  public NatsServer(Security security) {
    this(null, security);
  }

  NatsServer(Membership membership) {
    this(membership, null);
  }

  private NatsServer(Membership membership, Security security) {
    super(Binaries.require("nats-server"), FreePorts.one(), "trynow-nats-");
    this.membership = membership;
    this.security = security;
  }

  @Override
  public String name() {
    return "nats-server";
  }

  /** {@code nats://127.0.0.1:<port>}, or {@code tls://…} for a server that requires TLS. */
  public String url() {
    return (security != null ? "tls" : "nats") + "://127.0.0.1:" + port;
  }

  @Override
  protected List<String> command() {
    if (membership == null && security == null) {
      return List.of(
          binary, "-js", "-a", "127.0.0.1", "-p", String.valueOf(port), "-sd", dir.toString());
    }
    return List.of(
        binary, "-c", (membership != null ? writeClusterConfig() : writeSecureConfig()).toString());
  }

  private Path writeSecureConfig() {
    StringBuilder conf =
        new StringBuilder(
            """
            listen: "127.0.0.1:%d"
            jetstream { store_dir: "%s" }
            tls {
              cert_file: "%s"
              key_file: "%s"
              ca_file: "%s"
              verify: %s
              timeout: 5
            }
            """
                .formatted(
                    port,
                    dir.resolve("js"),
                    security.tls().serverCert(),
                    security.tls().serverKey(),
                    security.tls().ca(),
                    security.verifyClients()));
    Auth auth = security.auth();
    if (auth != null && auth.operator() != null) {
      conf.append(auth.operator().serverConfig());
    } else if (auth != null && auth.token() != null) {
      conf.append("authorization {\n  token: \"%s\"\n}\n".formatted(auth.token()));
    } else if (auth != null) {
      conf.append("authorization {\n  users: [\n");
      for (String[] u : auth.users()) {
        conf.append("    {user: \"%s\", password: \"%s\"}\n".formatted(u[0], u[1]));
      }
      for (String k : auth.nkeys()) {
        conf.append("    {nkey: \"%s\"}\n".formatted(k));
      }
      conf.append("  ]\n}\n");
    }
    Path file = dir.resolve("nats.conf");
    try {
      Files.writeString(file, conf.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private Path writeClusterConfig() {
    String routes =
        membership.routes().stream()
            .map(p -> "    \"nats-route://127.0.0.1:" + p + "\"")
            .collect(Collectors.joining("\n"));
    String conf =
        """
        server_name: %s
        listen: "127.0.0.1:%d"
        jetstream { store_dir: "%s" }
        cluster {
          name: %s
          listen: "127.0.0.1:%d"
          routes: [
        %s
          ]
        }
        """
            .formatted(
                membership.serverName(),
                port,
                dir.resolve("js"),
                membership.clusterName(),
                membership.clusterPort(),
                routes);
    Path file = dir.resolve("nats.conf");
    try {
      Files.writeString(file, conf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The server greets every client with an INFO line once it accepts connections. */
  @Override
  protected boolean answers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(500);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4];
      int n = in.readNBytes(buf, 0, 4);
      return n == 4 && new String(buf, StandardCharsets.US_ASCII).equals("INFO");
    } catch (Exception e) {
      return false;
    }
  }
}
