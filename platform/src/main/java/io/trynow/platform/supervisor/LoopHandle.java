package io.trynow.platform.supervisor;

import java.time.Duration;

/** A loop registered with the {@link Supervisor}. */
public interface LoopHandle {

  String name();

  LoopStatus status();

  /**
   * Stops this loop alone, like shutdown does for all: no new iteration, the current one finishes,
   * then {@link Loop#drain} up to {@code grace} and {@link Loop#close}. Returns when done.
   */
  void stop(Duration grace);
}
