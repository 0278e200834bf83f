package io.trynow.proxysync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A loopback TCP proxy that slams the door on the next {@link #dropNext(int) n} connections
 * (accept, then reset: the client sees a transport error) and forwards every other one to the
 * target port — a transient network fault on demand.
 *
 * <p>Quarkus loads a test class (and its profile) in more than one class loader, so the knobs live
 * in JDK objects kept in the system properties, shared by every copy of this class.
 */
public final class FlakyTcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final IntSupplier target;
  private final AtomicInteger toDrop = shared("to-drop");
  private final AtomicInteger dropped = shared("dropped");
  private final AtomicInteger accepted = shared("accepted");

  /** The port connections are forwarded to, shared by every copy of this class. */
  public static AtomicInteger targetPort() {
    return shared("target-port");
  }

  private static AtomicInteger shared(String name) {
    return (AtomicInteger)
        System.getProperties()
            .computeIfAbsent("trynow.test.flaky-proxy." + name, k -> new AtomicInteger());
  }

  public FlakyTcpProxy() {
    this.target = () -> targetPort().get();
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name("flaky-proxy").start(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next {@code n} connections are closed right after accept. */
  public void dropNext(int n) {
    toDrop.set(n);
  }

  /** Connections dropped so far. */
  public int dropped() {
    return dropped.get();
  }

  /**
   * Connections accepted so far, dropped ones included. The admin client does not keep connections
   * alive, so against Caddy this counts admin requests.
   */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        accepted.incrementAndGet();
        if (toDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          dropped.incrementAndGet();
          client.setSoLinger(true, 0); // RST
          client.close();
          continue;
        }
        int port = target.getAsInt();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port);
        pipe(client, upstream, "127.0.0.1:" + port);
        pipe(upstream, client, null);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  /**
   * Copies one direction; with {@code host}, the request head's Host header is rewritten to it
   * (Caddy's admin API accepts only its own address as Host).
   */
  private static void pipe(Socket from, Socket to, String host) {
    Thread.ofVirtual()
        .start(() -> {
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            if (host != null) {
              out.write(rewriteHost(readHead(in), host));
            }
            in.transferTo(out);
          } catch (IOException ignored) {
            // one side closed: close both below
          } finally {
            closeQuietly(from);
            closeQuietly(to);
          }
        });
  }

  private static byte[] readHead(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      byte[] b = head.toByteArray();
      int n = b.length;
      if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
        break;
      }
    }
    return head.toByteArray();
  }

  private static byte[] rewriteHost(byte[] head, String host) {
    String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
    String out = text.replaceFirst("(?im)^host:[^\r\n]*", "Host: " + host);
    return out.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
