package io.trynow.platform.hosts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How cleanup-worker watches the Docker hosts and drains a dead one ({@code trynow.host-monitor}).
 */
@ConfigMapping(prefix = "trynow.host-monitor")
public interface HostMonitorConfig {

  /** Interval of the engine pings. */
  @WithDefault("2s")
  Duration interval();

  /**
   * How long a host's engine must fail every ping before it is drained (its instances failed and
   * replaced elsewhere, their routes removed, their visitors told).
   */
  @WithDefault("10s")
  Duration drainAfter();
}
