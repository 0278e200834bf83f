package io.trynow.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports, and free ranges of them for instance ports. */
public final class FreePorts {

  private FreePorts() {}

  public static int one() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  /**
   * A range [first, first + size) of ports that are all free now, picked at random between 20000
   * and 30000 (below the kernel's ephemeral range) so that parallel test JVMs rarely collide.
   */
  public static int range(int size) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = 20000 + ThreadLocalRandom.current().nextInt(10000 - size);
      if (allFree(first, size)) {
        return first;
      }
    }
    throw new IllegalStateException("no free range of " + size + " loopback ports");
  }

  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean allFree(int first, int size) {
    for (int p = first; p < first + size; p++) {
      if (!isFree(p)) {
        return false;
      }
    }
    return true;
  }
}
