package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void singlePortsAreNeverHandedOutTwiceAndStayBelowTheEphemeralRange() throws Exception {
    Set<Integer> seen = new HashSet<>();
    // Hold every port open as a server would, except every third, which is released at once: a
    // released port must not come back either (the race of the CI run of 323e13a).
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        int port = FreePorts.one();
        assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        assertThat(port).isBetween(FreePorts.ONE_FIRST, FreePorts.ONE_END - 1);
        if (i % 3 != 0) {
          ServerSocket s = new ServerSocket();
          s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          held.add(s);
        }
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  @Test
  void isFreeSeesAPortSomeoneListensOn() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int taken = s.getLocalPort();
      assertThat(FreePorts.isFree(taken)).isFalse();
    }
  }

  @Test
  void rangesOfOneJvmNeverOverlap() {
    BitSet used = new BitSet();
    for (int i = 0; i < 30; i++) {
      int first = FreePorts.range(100);
      assertThat(first).isBetween(FreePorts.RANGE_FIRST, FreePorts.RANGE_END - 100);
      assertThat(used.get(first, first + 100).isEmpty())
          .as("range %d-%d overlaps an earlier one", first, first + 99)
          .isTrue();
      used.set(first, first + 100);
    }
  }
}
