package io.trynow.platform.state;

import java.time.InstantSource;

/**
 * What every group of store operations shares: the function client, the clock whose time is passed
 * into every function, and the retention of tombstones and ended requests.
 */
abstract class Operations {

  final FunctionClient client;
  final String retentionMs;
  private final InstantSource clock;

  Operations(FunctionClient client, InstantSource clock, String retentionMs) {
    this.client = client;
    this.clock = clock;
    this.retentionMs = retentionMs;
  }

  /** Now, in epoch milliseconds, as the functions take it. */
  final String now() {
    return String.valueOf(clock.millis());
  }
}
