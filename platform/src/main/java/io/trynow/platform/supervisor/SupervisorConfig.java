package io.trynow.platform.supervisor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The supervisor of background loops ({@code trynow.supervisor.*}). */
@ConfigMapping(prefix = "trynow.supervisor")
public interface SupervisorConfig {

  /** Delay before the first restart of a failed loop; doubles per failure in a row. */
  @WithDefault("200ms")
  Duration backoffInitial();

  /** Longest restart delay. */
  @WithDefault("30s")
  Duration backoffMax();

  /** Fraction of each restart delay that is random, in [0, 1]. */
  @WithDefault("0.5")
  double backoffJitter();

  /** A loop whose heartbeat is older than this is stuck: liveness DOWN. */
  @WithDefault("60s")
  Duration staleAfter();

  /** A loop failing for longer than this without a success: readiness DOWN. */
  @WithDefault("30s")
  Duration crashThreshold();

  /** At shutdown, how long in-flight work may take before it is handed back. */
  @WithDefault("10s")
  Duration shutdownGrace();
}
