package io.trynow.cleanup.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.platform.state.IndexRepair;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.InstantSource;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The reconciler of what counts: every {@code indexes.interval} the state sets (ready and in-flight
 * counts), ready lists, lease and expiry indexes, per-address live-demo slots and wait queues are
 * rebuilt from the records where they drifted ({@link IndexRepair}: one Lua function per repair, so
 * each is atomic). The first pass and every {@code indexes.deep-every}-th also scans the keyspace.
 * Each fix is logged and counted in {@code trynow_cleanup_repairs_total{kind="index"}}.
 */
@ApplicationScoped
public class CountRepair {

  private static final Logger LOG = Logger.getLogger(CountRepair.class);

  private final IndexRepair repair;
  private final CleanupConfig.Indexes config;
  private final Counter fixed;
  private long passes;

  CountRepair(Store store, CleanupConfig config, MeterRegistry registry) {
    if (config.indexes().deepEvery() < 1) {
      throw new IllegalArgumentException("trynow.cleanup.indexes.deep-every must be at least 1");
    }
    this.repair = new IndexRepair(store, InstantSource.system());
    this.config = config.indexes();
    this.fixed =
        Counter.builder(OrphanSweeper.REPAIRS)
            .description("repairs made by the orphan sweeper, by kind")
            .tag("kind", "index")
            .register(registry);
  }

  /** One pass; returns the fixes made. */
  public synchronized List<String> repairOnce() {
    boolean deep = passes++ % config.deepEvery() == 0;
    List<String> fixes = repair.repair(deep);
    for (String f : fixes) {
      LOG.warnf("repaired index (derived from the records): %s", f);
    }
    fixed.increment(fixes.size());
    return fixes;
  }
}
