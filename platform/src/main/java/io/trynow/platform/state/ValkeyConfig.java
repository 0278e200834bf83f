package io.trynow.platform.state;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The state store's own settings. Where Valkey is and how to reach it (TLS, password, ACL user,
 * Sentinel, pool size) are the Quarkus Redis client's settings, {@code quarkus.redis.*} (see the
 * package doc and platform's README for the names and their {@code TRYNOW_VALKEY_*} shortcuts).
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

  /**
   * The ACL user the service logs in as ({@code AUTH user password}); its password is {@code
   * quarkus.redis.password} ({@code QUARKUS_REDIS_PASSWORD}). Unset: the default user, with {@code
   * quarkus.redis.password} if set. (A user written into {@code quarkus.redis.hosts} as {@code
   * redis://user:password@host} works too.)
   */
  Optional<String> user();

  /** Deadline of one store call (wait for a connection, send, reply). */
  @WithDefault("5s")
  Duration timeout();

  /**
   * Replicas that must have a state change before the store reports it done ({@code WAIT}); 0 =
   * don't wait. Set it to 1 with Sentinel (and run at least two replicas), so that a failover never
   * loses a change a caller was told about.
   */
  @WithDefault("0")
  int waitReplicas();

  /** How long Valkey waits for {@link #waitReplicas()} acknowledgements before the call fails. */
  @WithDefault("2s")
  Duration waitTimeout();

  /**
   * Calls made from a thread that may block (worker or virtual thread) write and read a plain
   * connection of their own instead of going through the Vert.x client's event loop: two thread
   * wake-ups less per call, which is most of a call's cost when traffic is sparse. Used only with a
   * standalone Valkey without TLS (TLS and Sentinel always use the Vert.x client); non-blocking
   * callers always use the Vert.x client. {@code false}: every call through the Vert.x client.
   */
  @WithDefault("true")
  boolean blockingLane();
}
