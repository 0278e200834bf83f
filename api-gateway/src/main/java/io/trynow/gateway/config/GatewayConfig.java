package io.trynow.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The api-gateway's settings ({@code trynow.gateway.*}, env {@code TRYNOW_GATEWAY_...}). Checked at
 * startup by {@link GatewayConfigValidator}: a bad value stops the service with a message naming
 * the key.
 */
@ConfigMapping(prefix = "trynow.gateway")
public interface GatewayConfig {

  /**
   * API keys that may call {@code POST /v1/demos} (header {@code X-Api-Key}). Empty: the public API
   * needs no key. Env {@code TRYNOW_GATEWAY_API_KEYS}, comma-separated.
   */
  Optional<List<String>> apiKeys();

  /**
   * A file holding the API keys (comma- or newline-separated), e.g. a mounted Secret; excludes
   * {@code api-keys}. An empty file: no key needed. Env {@code TRYNOW_GATEWAY_API_KEYS_FILE}.
   */
  Optional<Path> apiKeysFile();

  /**
   * SHA-256 (64 hex characters) of the admin key sent as {@code Authorization: Bearer <key>} to
   * {@code /admin/*}. Unset: the admin API answers 404. Env {@code TRYNOW_GATEWAY_ADMIN_KEY_HASH}.
   */
  Optional<String> adminKeyHash();

  /**
   * A file holding the admin key hash, e.g. a mounted Secret; excludes {@code admin-key-hash}. An
   * empty file: no admin API. Env {@code TRYNOW_GATEWAY_ADMIN_KEY_HASH_FILE}.
   */
  Optional<Path> adminKeyHashFile();

  /**
   * Peers (addresses or CIDR blocks, IPv4 or IPv6) whose {@code X-Forwarded-For} header is
   * believed. Empty: the TCP peer is the client. Env {@code TRYNOW_GATEWAY_TRUSTED_PROXIES}.
   */
  Optional<List<String>> trustedProxies();

  /**
   * Secret (≥ 32 characters) keying the HMAC of the signed tickets in {@code status_url} / {@code
   * events_url} and the mapping of {@code Idempotency-Key} to request ids. Every gateway replica
   * needs the same one, so it is never invented in production: unset (and no {@code
   * ticket-secret-file}), the service refuses to start unless {@code random-ticket-secret} allows a
   * per-process one. Env {@code TRYNOW_GATEWAY_TICKET_SECRET}.
   */
  Optional<String> ticketSecret();

  /**
   * A file holding the ticket secret, e.g. a mounted Kubernetes Secret (trailing whitespace is
   * ignored); excludes {@code ticket-secret}. Env {@code TRYNOW_GATEWAY_TICKET_SECRET_FILE}.
   */
  Optional<Path> ticketSecretFile();

  /**
   * Without a ticket secret, use a random one for this process (tickets and Idempotency-Keys then
   * die with it and do not cross replicas). Only the {@code dev} profile sets it; in production a
   * missing secret stops the start.
   */
  @WithDefault("false")
  boolean randomTicketSecret();

  /** How long a signed ticket is accepted. */
  @WithDefault("2h")
  Duration ticketTtl();

  /** How long {@code POST /v1/demos} waits for pool-service's answer before answering 202. */
  @WithDefault("3s")
  Duration replyWait();

  /** Rate limit: acquires admitted per client IP per hour. */
  @WithDefault("20")
  int acquiresPerHour();

  /** Rate limit: acquires admitted per client IP per day. */
  @WithDefault("100")
  int acquiresPerDay();

  /**
   * Most live demos (assigned or queued) one client IP may hold at once; 0: no cap. The one setting
   * of the per-IP cap: the fast path ({@code acquire_ready}) checks it, and an acquire that goes
   * the queue path carries it in its message ({@code AcquireRequest.maxLivePerIp}), so pool-service
   * refuses at the same count.
   */
  @WithDefault("3")
  int maxLivePerIp();

  /** Longest a Server-Sent Events stream stays open; the client reconnects with Last-Event-ID. */
  @WithDefault("30m")
  Duration sseMaxDuration();

  /** Interval of SSE heartbeat comments. */
  @WithDefault("15s")
  Duration sseHeartbeat();

  /**
   * A request's stream tells its visitor a new queue position at most this often: a position that
   * comes sooner waits, a newer one replaces it, and the newest is sent when the interval is over;
   * one overtaken by {@code assigned} (or any other end of the wait) is not sent. {@code 0s}: every
   * position as it comes. In a flash crowd each hand-over moves every visitor behind it, so the
   * events per stream grow with the queue (docs/ARCHITECTURE.md, "Flash crowds").
   */
  @WithDefault("1s")
  Duration ssePositionInterval();

  /**
   * Most open SSE streams per client IP, over every gateway replica (counted in Valkey; a refused
   * stream gets 429).
   */
  @WithDefault("4")
  int sseMaxPerIp();

  /**
   * Most open SSE streams in total, over every gateway replica (counted in Valkey; a refused stream
   * gets 503).
   */
  @WithDefault("2000")
  int sseMaxTotal();

  /**
   * How long an open SSE stream's slot in Valkey outlives its last renewal: each replica renews its
   * streams' slots every third of this, so the slots of a replica that dies come back within it.
   */
  @WithDefault("30s")
  Duration sseLease();

  /** An SSE stream sends an {@code expiring} warning this long before the demo expires. */
  @WithDefault("2m")
  Duration expiringWarning();

  /** Public base URL used in {@code status_url} / {@code events_url}; empty: relative URLs. */
  Optional<String> publicBaseUrl();
}
