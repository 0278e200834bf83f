package io.trynow.platform.warmup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The startup warm-up of a service's hot path ({@code trynow.warm-up.*}, env {@code
 * TRYNOW_WARM_UP_ROUNDS}): see {@link WarmUp}.
 */
@ConfigMapping(prefix = "trynow.warm-up")
public interface WarmUpConfig {

  /**
   * Rounds of the hot path run at startup, before the service reports ready; 0 turns the warm-up
   * off. The first round pays for first use (class initialisation, connections, serializers); the
   * rest for interpreted code. 50: the first sparse request met its target (85 ms, target 100)
   * after 41-57 rounds ({@code ./trynow bench sparse}, load 7-8), when 300 were never reached
   * within the max time on the loaded machine anyway; each round costs CPU that the other services
   * starting beside it need.
   */
  @WithDefault("50")
  int rounds();

  /**
   * The warm-up stops after this long even if rounds are left (a slow or loaded machine); counted
   * from the end of the first round, which opens the connections and always runs whole.
   */
  @WithDefault("2s")
  Duration maxTime();
}
