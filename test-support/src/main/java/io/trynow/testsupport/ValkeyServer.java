package io.trynow.testsupport;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code valkey-server} (preferred) or {@code redis-server} on loopback. With AOF on, a
 * restart keeps the data, as production Valkey does.
 */
public final class ValkeyServer extends ManagedServer {

  private final boolean appendOnly;

  public ValkeyServer() {
    this(true);
  }

  public ValkeyServer(boolean appendOnly) {
    super(Binaries.require("valkey-server", "redis-server"), FreePorts.one(), "trynow-valkey-");
    this.appendOnly = appendOnly;
  }

  @Override
  public String name() {
    return "valkey";
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  protected List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            binary,
            "--port",
            String.valueOf(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes"));
    cmd.addAll(List.of("--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "everysec"));
    return cmd;
  }

  @Override
  protected boolean answers() {
    try {
      return command("PING").startsWith("+PONG");
    } catch (Exception e) {
      return false;
    }
  }

  /** Sends one inline command and returns the first reply line (e.g. {@code +OK}, {@code :1}). */
  public String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    } catch (Exception e) {
      throw new IllegalStateException("valkey command failed: " + inline, e);
    }
  }
}
