package io.trynow.systemtests;

import java.util.List;

/**
 * The chaos suite, services half: kill -9 each of the five services in turn mid-traffic and start
 * it again at once, as the launcher would ({@link ChaosSuite}). Table: {@code
 * target/chaos/services.txt}.
 */
class ChaosServicesSystemIT extends ChaosSuite {

  @Override
  String name() {
    return "services";
  }

  @Override
  List<ChaosFault> faults() {
    return List.of(
        ChaosFault.PROVISIONER_WORKER,
        ChaosFault.POOL_SERVICE,
        ChaosFault.PROXY_SYNC,
        ChaosFault.CLEANUP_WORKER,
        ChaosFault.API_GATEWAY);
  }
}
