package io.trynow.pool.replenish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SpareIdsTest {

  private final AtomicInteger made = new AtomicInteger();
  private final SpareIds ids = new SpareIds(() -> "id" + made.incrementAndGet());

  @Test
  void aReserveThatCreatesNothingMakesNoNewIdsForTheNext() {
    List<String> first = ids.take(8);
    ids.giveBack(first, List.of());
    assertThat(ids.take(8)).containsExactlyElementsOf(first);
    assertThat(made.get()).isEqualTo(8);
  }

  @Test
  void onlyTheCreatedIdsAreReplacedAndNeverOfferedAgain() {
    List<String> first = ids.take(4);
    ids.giveBack(first, List.of(first.get(0), first.get(2)));
    List<String> second = ids.take(4);
    assertThat(second).contains(first.get(1), first.get(3));
    assertThat(second).doesNotContain(first.get(0), first.get(2));
    assertThat(made.get()).isEqualTo(6);
  }

  @Test
  void concurrentReservesNeverGetTheSameId() throws Exception {
    SpareIds shared = new SpareIds();
    Set<String> created = ConcurrentHashMap.newKeySet();
    List<String> twice = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        fs.add(
            pool.submit(() -> {
              for (int i = 0; i < 2000; i++) {
                List<String> offered = shared.take(8);
                // every 10th "reserve" creates its first id, the others nothing
                List<String> made = i % 10 == 0 ? List.of(offered.getFirst()) : List.of();
                for (String id : made) {
                  if (!created.add(id)) {
                    synchronized (twice) {
                      twice.add(id);
                    }
                  }
                }
                shared.giveBack(offered, made);
              }
              return null;
            }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    }
    assertThat(twice).as("ids created by two reserves").isEmpty();
    assertThat(created).hasSize(8 * 200);
    assertThat(shared.size()).isLessThanOrEqualTo(8 * 8);
  }
}
