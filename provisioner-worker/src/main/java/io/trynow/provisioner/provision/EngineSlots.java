package io.trynow.provisioner.provision;

import io.trynow.platform.template.TemplatesConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The engine's share of {@code max-in-flight}: at most that many containers of one template are
 * between {@code docker create} and their first healthy answer in this worker at once, taken in
 * arrival order (a fair semaphore per template).
 *
 * <p>Why a gate here and not only the count in {@code reserve_provision}: the store's slot spans
 * requested → {@code mark_started}, so the bookkeeping before the engine's work (reserve, publish,
 * delivery, claim, place, port: p50 220 ms per container in the crowd bench on the busy 2-core
 * machine) held a slot while the engine had nothing to do, and the engine ran 2.56 of its 4 slots
 * on average. {@link SlotRefill} now reserves up to {@link TemplatesConfig#LOOKAHEAD} × {@code
 * max-in-flight} records, the provisioner claims, places and gives them a port at once and waits
 * here only for the engine: when a container turns healthy, the next one is created within
 * milliseconds, as in the raw floor's {@code docker run} loop at the same parallelism.
 *
 * <p>The gate is per worker process; with several provisioner replicas the engine's parallelism is
 * at most min(replicas, {@link TemplatesConfig#LOOKAHEAD}) × {@code max-in-flight}, capped by the
 * store.
 */
public final class EngineSlots {

  private final ConcurrentHashMap<String, Semaphore> gates = new ConcurrentHashMap<>();

  /** One engine slot, held from container create to healthy; {@link #close} frees it once. */
  public static final class Slot implements AutoCloseable {
    private Semaphore gate;

    private Slot(Semaphore gate) {
      this.gate = gate;
    }

    /** Frees the slot (idempotent). */
    @Override
    public void close() {
      Semaphore g = gate;
      gate = null;
      if (g != null) {
        g.release();
      }
    }
  }

  /**
   * Waits for one of the template's {@code maxInFlight} engine slots. The first call for a template
   * fixes its slot count (a template's settings do not change while the process runs).
   */
  public Slot acquire(String template, int maxInFlight) throws InterruptedException {
    Semaphore gate =
        gates.computeIfAbsent(template, t -> new Semaphore(Math.max(1, maxInFlight), true));
    gate.acquire();
    return new Slot(gate);
  }

  /** Slots of {@code template} taken now (tests, metrics). */
  public int inUse(String template, int maxInFlight) {
    Semaphore gate = gates.get(template);
    return gate == null ? 0 : Math.max(1, maxInFlight) - gate.availablePermits();
  }

  /** Provisions of {@code template} waiting for an engine slot now (tests). */
  int queued(String template) {
    Semaphore gate = gates.get(template);
    return gate == null ? 0 : gate.getQueueLength();
  }
}
