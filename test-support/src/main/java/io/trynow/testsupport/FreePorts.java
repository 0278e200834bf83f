package io.trynow.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the servers and services a test starts, and free ranges of them for
 * instance ports. Both come from below the kernel's ephemeral range (32768-60999 here), and this
 * JVM never hands out the same port twice.
 *
 * <p>Why: a port the kernel picked for {@code bind(0)} and the test released stays free only by
 * luck until the server binds it, which takes a JVM 20 s under CI load. Within that window the
 * kernel may give the same port to the next {@code bind(0)} (CI run of {@code 323e13a}: a gateway's
 * port answered 404 from another service of its own stack, and the gateway then failed with "Port
 * 46497 seems to be in use") or to any outgoing connection as its source port. Below 32768 the
 * kernel assigns nothing by itself, and the set below keeps two calls of this JVM apart.
 */
public final class FreePorts {

  /** Single ports: 30000-32767, under the ephemeral range. */
  static final int ONE_FIRST = 30000;

  static final int ONE_END = 32768;

  /** Instance port ranges: 20000-29999. */
  static final int RANGE_FIRST = 20000;

  static final int RANGE_END = 30000;

  private static final BitSet HANDED_OUT = new BitSet(ONE_END);

  private FreePorts() {}

  /** A port free now and never handed out before by this JVM. */
  public static int one() {
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = ONE_FIRST + ThreadLocalRandom.current().nextInt(ONE_END - ONE_FIRST);
      if (claim(port, 1)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free loopback port left in " + ONE_FIRST + "-" + (ONE_END - 1));
  }

  /**
   * A range [first, first + size) of ports that are all free now and none handed out before by this
   * JVM, picked at random in 20000-29999, so that stacks living at once never share instance ports
   * (they are free until containers bind them) and parallel test JVMs rarely collide.
   */
  public static int range(int size) {
    if (size < 1 || size > RANGE_END - RANGE_FIRST) {
      throw new IllegalArgumentException("range size " + size);
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = RANGE_FIRST + ThreadLocalRandom.current().nextInt(RANGE_END - RANGE_FIRST - size);
      if (claim(first, size)) {
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

  private static synchronized boolean claim(int first, int size) {
    if (HANDED_OUT.nextSetBit(first) >= 0 && HANDED_OUT.nextSetBit(first) < first + size) {
      return false;
    }
    for (int p = first; p < first + size; p++) {
      if (!isFree(p)) {
        return false;
      }
    }
    HANDED_OUT.set(first, first + size);
    return true;
  }
}
