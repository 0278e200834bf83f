package io.trynow.platform.state;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Claims that name their worker ({@code claimed_by}): a worker recognises its own claim after a
 * failed attempt or a restart and takes it again at once instead of waiting for its own lease; a
 * (re)started worker hands back every claim it held ({@link #releaseAll}). Leases are short and
 * kept alive by a {@link LeaseHeartbeat} while the work runs, so the claim of a dead worker lapses
 * within seconds. Each call is one Lua function ({@code claim_provision}, {@code claim_terminate},
 * {@code release_claims}).
 */
public final class Leases {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(Leases.class);

  private static final Pattern WORKER = Pattern.compile("[A-Za-z0-9_.:@-]{1,96}");

  private final Store store;
  private final InstantSource clock;
  private final String worker;
  private final String retentionMs;

  /**
   * @param worker this worker's id, stable across its restarts ({@link WorkerConfig})
   * @param retention how long a tombstone is kept (a claim may fail the instance: open circuit)
   */
  public Leases(Store store, InstantSource clock, String worker, Duration retention) {
    if (worker == null || !WORKER.matcher(worker).matches()) {
      throw new IllegalArgumentException("worker id must match " + WORKER + ": " + worker);
    }
    this.store = store;
    this.clock = clock;
    this.worker = worker;
    this.retentionMs = Args.ms(Args.requirePositive(retention, "retention"));
  }

  /** This worker's id, as recorded in its claims. */
  public String worker() {
    return worker;
  }

  /** The store the claims live in. */
  public Store store() {
    return store;
  }

  /**
   * {@link Claims#claimProvision}, as this worker: a {@code provisioning} instance whose unexpired
   * lease is this worker's own is claimed again (fence + 1).
   */
  public ClaimResult claimProvision(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return Decode.claim(
        store.client().call("claim_provision", now(), id, Args.ms(lease), retentionMs, worker),
        id,
        "claim_provision");
  }

  /** {@link Claims#claimTerminate}, as this worker (its own unexpired claim is taken again). */
  public ClaimResult claimTerminate(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return Decode.claim(
        store.client().call("claim_terminate", now(), id, Args.ms(lease), worker),
        id,
        "claim_terminate");
  }

  /**
   * Lets every unexpired claim of this worker lapse now (at startup: what a dead predecessor with
   * the same id held is free at once, for any replica). Returns the instance ids.
   */
  public List<String> releaseAll() {
    return Decode.strings(store.client().call("release_claims", now(), worker).get(1));
  }

  /**
   * At startup, before this worker takes any work: {@link #releaseAll()}, logged. A store that does
   * not answer is logged too and not retried: those claims lapse within one lease anyway.
   */
  public void releaseAtStartup() {
    try {
      List<String> ids = releaseAll();
      if (!ids.isEmpty()) {
        LOG.infof("worker %s restarted: handed back the claim(s) it held on %s", worker, ids);
      }
    } catch (StoreException e) {
      LOG.warnf(
          "worker %s: claims of an earlier run not handed back (%s); they lapse by themselves",
          worker, e.getMessage());
    }
  }

  private String now() {
    return String.valueOf(clock.millis());
  }
}
