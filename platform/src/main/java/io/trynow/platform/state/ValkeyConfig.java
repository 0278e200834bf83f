package io.trynow.platform.state;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The state store's settings. The Valkey address and pool come from {@code quarkus.redis.hosts} and
 * {@code quarkus.redis.max-pool-size} (platform defaults: 64 connections).
 */
@ConfigMapping(prefix = "trynow.valkey")
public interface ValkeyConfig {

  /**
   * Key prefix: every key is {@code {<prefix>}:...} (one hash tag). Also the docker label {@code
   * trynow.cluster}. Letters, digits, {@code _ . -}, at most 64.
   */
  @WithDefault("trynow")
  String prefix();

  /** How long terminated/failed records (tombstones) and ended requests are kept. */
  @WithDefault("24h")
  Duration retention();

  /** Deadline of one store call (connect, wait for a free connection, reply). */
  @WithDefault("5s")
  Duration timeout();

  /** Most connections to Valkey, i.e. most store calls in flight at once. */
  @WithDefault("64")
  int poolSize();
}
