package io.trynow.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP front for the real Docker engine's unix socket that a test can cut and restore:
 * point a client at {@link #dockerHost()} and call {@link #cut()} to make the engine unreachable
 * (connections reset, new ones refused) — as a dockerd restart looks to a client — without touching
 * the shared dockerd. {@link #restore()} listens again on the same port.
 */
public final class DockerSocketProxy implements AutoCloseable {

  private final Path socket;
  private final int port;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocketChannel server;

  private DockerSocketProxy(Path socket, int port) {
    this.socket = socket;
    this.port = port;
  }

  /** Starts a proxy to {@code /var/run/docker.sock} on a free loopback port. */
  public static DockerSocketProxy start() {
    String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    if (!host.startsWith("unix://")) {
      throw new IllegalStateException("DockerSocketProxy needs a unix-socket DOCKER_HOST: " + host);
    }
    DockerSocketProxy p =
        new DockerSocketProxy(Path.of(host.substring("unix://".length())), FreePorts.one());
    p.restore();
    return p;
  }

  /** {@code tcp://127.0.0.1:<port>} */
  public String dockerHost() {
    return "tcp://127.0.0.1:" + port;
  }

  /** The engine becomes unreachable: listening stops and open connections are closed. */
  public synchronized void cut() {
    ServerSocketChannel s = server;
    server = null;
    closeQuietly(s);
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    open.clear();
  }

  /** The engine is reachable again on the same port. */
  public synchronized void restore() {
    if (server != null) {
      return;
    }
    try {
      ServerSocketChannel s = ServerSocketChannel.open();
      s.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = s;
      Thread.ofVirtual().name("docker-proxy-accept").start(() -> accept(s));
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  private void accept(ServerSocketChannel s) {
    while (s.isOpen()) {
      try {
        SocketChannel client = s.accept();
        SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
        engine.connect(UnixDomainSocketAddress.of(socket));
        open.add(client);
        open.add(engine);
        Thread.ofVirtual().start(() -> pipe(client, engine));
        Thread.ofVirtual().start(() -> pipe(engine, client));
      } catch (IOException e) {
        return; // closed by cut()
      }
    }
  }

  private void pipe(SocketChannel from, SocketChannel to) {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    cut();
  }
}
