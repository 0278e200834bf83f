package io.trynow.provisioner.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.platform.template.TemplatesConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineSlotsTest {

  @Test
  void atMostMaxInFlightOfATemplateAreInTheEngineAtOnceAndOtherTemplatesDoNotWait()
      throws Exception {
    EngineSlots slots = new EngineSlots();
    AtomicInteger inEngine = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        fs.add(
            pool.submit(() -> {
              try (EngineSlots.Slot s = slots.acquire("hello", 3)) {
                most.accumulateAndGet(inEngine.incrementAndGet(), Math::max);
                Thread.sleep(5);
                inEngine.decrementAndGet();
              }
              return null;
            }));
      }
      try (EngineSlots.Slot a = slots.acquire("shop", 1)) {
        assertThat(slots.inUse("shop", 1)).isEqualTo(1);
      }
      for (Future<?> f : fs) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(most.get()).isEqualTo(3);
    assertThat(slots.inUse("hello", 3)).isZero();
  }

  @Test
  void waitersGetTheEngineInArrivalOrderAndASlotFreesOnce() throws Exception {
    EngineSlots slots = new EngineSlots();
    EngineSlots.Slot held = slots.acquire("hello", 1);
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        int n = i;
        CountDownLatch queued = new CountDownLatch(1);
        fs.add(
            pool.submit(() -> {
              queued.countDown();
              try (EngineSlots.Slot s = slots.acquire("hello", 1)) {
                order.add(n);
              }
              return null;
            }));
        queued.await();
        // let the waiter reach the gate before the next one comes
        while (!waiting(slots, n + 1)) {
          Thread.sleep(1);
        }
      }
      held.close();
      held.close(); // a second close must not hand out a second slot
      for (Future<?> f : fs) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(order).containsExactly(0, 1, 2, 3, 4);
    assertThat(slots.inUse("hello", 1)).isZero();
  }

  @Test
  void theStoreCapLeavesOnePreparedProvisionBehindEachEngineSlot() {
    assertThat(TemplatesConfig.reserveCap(4)).isEqualTo(8);
    assertThat(TemplatesConfig.reserveCap(1)).isEqualTo(2);
  }

  private static boolean waiting(EngineSlots slots, int n) {
    return slots.queued("hello") >= n;
  }
}
