package io.trynow.gateway.it;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.JetStreamManagement;
import io.trynow.platform.state.Store;
import io.trynow.platform.warmup.WarmUpConfig;
import io.trynow.testsupport.RealServersResource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the gateway's warm-up ITs read before and after a warm-up to prove it changed nothing (keys,
 * stream messages, acquires counted), and the config of the warm-up they run by hand.
 */
final class WarmUpTraces {

  private WarmUpTraces() {}

  /** {@code rounds} rounds within a minute. */
  static WarmUpConfig rounds(int rounds) {
    return new WarmUpConfig() {
      @Override
      public int rounds() {
        return rounds;
      }

      @Override
      public Duration maxTime() {
        return Duration.ofMinutes(1);
      }
    };
  }

  /** The keys under the store's prefix that match any of {@code patterns} (e.g. {@code r:*}). */
  static Set<Object> keys(Store store, String... patterns) {
    var valkey = RealServersResource.servers().valkey();
    Set<Object> out = new HashSet<>();
    for (String k : patterns) {
      out.addAll((List<?>) valkey.call("KEYS", "{" + store.prefix() + "}:" + k));
    }
    return out;
  }

  /** Messages ever stored by all streams (their last sequences summed). */
  static long streamed(JetStreamManagement jsm) throws Exception {
    long n = 0;
    for (String stream : jsm.getStreamNames()) {
      n += jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    }
    return n;
  }

  /** Acquires the gateway counted ({@code trynow.gateway.acquires}, all outcomes). */
  static double acquiresCounted(MeterRegistry meters) {
    return meters.find("trynow.gateway.acquires").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
