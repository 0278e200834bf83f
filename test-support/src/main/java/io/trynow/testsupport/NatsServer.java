package io.trynow.testsupport;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A real {@code nats-server -js} on loopback, JetStream data in its temp dir. */
public final class NatsServer extends ManagedServer {

  public NatsServer() {
    super(Binaries.require("nats-server"), FreePorts.one(), "trynow-nats-");
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
    return List.of(
        binary, "-js", "-a", "127.0.0.1", "-p", String.valueOf(port), "-sd", dir.toString());
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
