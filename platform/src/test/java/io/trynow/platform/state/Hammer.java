package io.trynow.platform.state;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs the same body on many threads released at once; rethrows the first failure. */
final class Hammer {

  interface Body {
    void run(int thread, int iteration) throws Exception;
  }

  private Hammer() {}

  static void run(int threads, int iterations, Body body) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(() -> {
              go.await();
              for (int i = 0; i < iterations; i++) {
                body.run(thread, i);
              }
              return null;
            }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("a hammer thread failed", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
