package io.trynow.platform.state;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Repairs what counts from the records it is derived from, each repair one Lua function: {@code
 * repair_instance_indexes} (state sets per state and template — the pool's ready and in-flight
 * counts —, ready lists, templates, the lease and expiry indexes, from the instance records) and
 * {@code repair_request_indexes} (the per-address live-demo slots {@code ip:<ip>} and the wait
 * queues, from the request records). For the reconciler: after a Valkey crash (AOF {@code everysec}
 * may lose the last second) or any other drift, the counts are right again within one pass. Shallow
 * passes look only at ids some index names (cost ~ live records); a {@code deep} pass also scans
 * the keyspace (cost ~ every key, tombstones included).
 */
public final class IndexRepair {

  private final Store store;
  private final InstantSource clock;

  public IndexRepair(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Both repairs; one line per fix, e.g. {@code +t:hello:ready iabc…} (empty: nothing drifted). */
  public List<String> repair(boolean deep) {
    List<String> fixes = new ArrayList<>(instances(deep));
    fixes.addAll(requests(deep));
    return fixes;
  }

  /** {@code repair_instance_indexes}. */
  public List<String> instances(boolean deep) {
    return call("repair_instance_indexes", deep);
  }

  /** {@code repair_request_indexes}. */
  public List<String> requests(boolean deep) {
    return call("repair_request_indexes", deep);
  }

  private List<String> call(String fn, boolean deep) {
    Reply r = store.client().call(fn, String.valueOf(clock.millis()), deep ? "1" : "0");
    if (!"ok".equals(Decode.status(r))) {
      throw Decode.unexpected(fn, r);
    }
    return Decode.strings(r.get(1));
  }
}
