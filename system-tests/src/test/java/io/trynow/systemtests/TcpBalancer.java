package io.trynow.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address in front of several replicas, as a Kubernetes Service or a load balancer is: each new
 * TCP connection goes to the next backend in turn (round robin). {@link #served()} records which
 * backend each connection went to, so a test knows which replica answered.
 */
final class TcpBalancer implements AutoCloseable {

  private final ServerSocket server;
  private final List<Integer> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final List<Integer> served = new CopyOnWriteArrayList<>();

  private TcpBalancer(List<Integer> backendPorts) throws IOException {
    this.backends = List.copyOf(backendPorts);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("balancer-accept").start(this::accept);
  }

  /** A balancer on a free loopback port in front of {@code 127.0.0.1:<port>} backends. */
  static TcpBalancer start(List<Integer> backendPorts) {
    try {
      return new TcpBalancer(backendPorts);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the balancer's port", e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** The backend index of each connection, in order. */
  List<Integer> served() {
    return List.copyOf(served);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        int i = Math.floorMod(next.getAndIncrement(), backends.size());
        served.add(i);
        Socket backend = new Socket();
        backend.connect(new InetSocketAddress("127.0.0.1", backends.get(i)), 2000);
        Thread.ofVirtual().start(() -> pump(client, backend));
        Thread.ofVirtual().start(() -> pump(backend, client));
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // the other side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
