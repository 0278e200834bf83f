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
   * off. A few hundred rounds get the path's methods compiled (the JIT compiles a method after a
   * few hundred calls).
   */
  @WithDefault("300")
  int rounds();

  /**
   * The warm-up stops after this long even if rounds are left (a slow or loaded machine); counted
   * from the end of the first round, which opens the connections and always runs whole.
   */
  @WithDefault("2s")
  Duration maxTime();
}
