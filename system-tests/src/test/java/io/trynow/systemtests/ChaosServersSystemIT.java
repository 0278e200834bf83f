package io.trynow.systemtests;

import java.util.List;

/**
 * The chaos suite, servers half: kill -9 nats-server, Valkey and Caddy in turn mid-traffic, leave
 * each down for {@link ChaosFault#SERVER_OUTAGE} and start it again on the same port and data
 * ({@link ChaosSuite}). Table: {@code target/chaos/servers.txt}.
 */
class ChaosServersSystemIT extends ChaosSuite {

  @Override
  String name() {
    return "servers";
  }

  @Override
  List<ChaosFault> faults() {
    return List.of(ChaosFault.NATS, ChaosFault.VALKEY, ChaosFault.CADDY);
  }
}
