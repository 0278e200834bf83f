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

  private final Membership membership;

  public NatsServer() {
    this(null);
  }

  NatsServer(Membership membership) {
    super(Binaries.require("nats-server"), FreePorts.one(), "trynow-nats-");
    this.membership = membership;
  }

  @Override
  public String name() {
    return "nats-server";
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  @Override
  protected List<String> command() {
    if (membership == null) {
      return List.of(
          binary, "-js", "-a", "127.0.0.1", "-p", String.valueOf(port), "-sd", dir.toString());
    }
    return List.of(binary, "-c", writeClusterConfig().toString());
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
