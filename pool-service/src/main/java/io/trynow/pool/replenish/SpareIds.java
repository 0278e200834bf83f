package io.trynow.pool.replenish;

import io.trynow.model.Ids;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The instance ids a reserve offers, kept when it does not use them: an id is only a random name
 * until {@code reserve_provision} writes its record, and most reserves create nothing (the pool is
 * full), so new ids are made only for those the last reserves used. Making {@code reserveCap} new
 * ids per run (a DRBG call each) was a third of pool-service's CPU at 500 warm hits/s, where every
 * hit wakes a run that creates nothing. Concurrent reserves never get the same id (each is taken
 * once, and given back only when its reserve did not create it).
 */
final class SpareIds {

  private final ConcurrentLinkedQueue<String> spare = new ConcurrentLinkedQueue<>();
  private final Supplier<String> fresh;

  SpareIds() {
    this(Ids::newInstanceId);
  }

  SpareIds(Supplier<String> fresh) {
    this.fresh = fresh;
  }

  /** {@code n} ids for one reserve: spare ones first, then new ones. */
  List<String> take(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = spare.poll();
      ids.add(id != null ? id : fresh.get());
    }
    return ids;
  }

  /** After the reserve answered: the offered ids it did not create are spare again. */
  void giveBack(List<String> offered, Collection<String> created) {
    Set<String> used = Set.copyOf(created);
    for (String id : offered) {
      if (!used.contains(id)) {
        spare.add(id);
      }
    }
  }

  /** How many are spare (tests). */
  int size() {
    return spare.size();
  }
}
