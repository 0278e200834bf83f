package io.trynow.platform.state;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * Who this worker is ({@code trynow.worker.*}, env {@code TRYNOW_WORKER_...}): the id its claims
 * carry ({@link Leases}). It must be stable across a restart of the same worker and unique among
 * live workers, so that a restarted worker recognises (and hands back) what it held.
 */
@ConfigMapping(prefix = "trynow.worker")
public interface WorkerConfig {

  /**
   * This worker's id ({@code [A-Za-z0-9_.:@-]}, at most 96). Default: {@code <application>@<host
   * name>:<http port>} — stable across restarts on the same host and port (a Kubernetes pod keeps
   * its name when its container restarts).
   */
  Optional<String> id();
}
