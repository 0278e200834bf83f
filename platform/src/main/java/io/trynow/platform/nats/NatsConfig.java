package io.trynow.platform.nats;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Connection to NATS, shared by every service ({@code trynow.nats.*}, env {@code TRYNOW_NATS_...}).
 * At most one way to authenticate: a credentials file (JWT + NKey seed, as {@code nsc} writes), an
 * NKey seed file, user and password, or a token; TLS with the server's CA and, for mutual TLS, a
 * client certificate and key (PEM). Checked by {@link NatsSecurity} at startup: a missing file or a
 * contradictory combination stops the service naming the key.
 */
@ConfigMapping(prefix = "trynow.nats")
public interface NatsConfig {

  /** NATS server URL(s), comma-separated ({@code nats://} or {@code tls://}). */
  @WithDefault("nats://127.0.0.1:14222")
  String url();

  /** Timeout of the first connect and of each reconnect attempt. */
  @WithDefault("2s")
  Duration connectTimeout();

  /** Wait between reconnect attempts; the client reconnects forever. */
  @WithDefault("250ms")
  Duration reconnectWait();

  /**
   * A NATS credentials file (user JWT and NKey seed, {@code .creds}). Env {@code
   * TRYNOW_NATS_CREDS_FILE}.
   */
  Optional<Path> credsFile();

  /** A file holding only an NKey user seed ({@code SU...}). Env {@code TRYNOW_NATS_NKEY_FILE}. */
  Optional<Path> nkeyFile();

  /** User name; needs {@code password}. Env {@code TRYNOW_NATS_USER}. */
  Optional<String> user();

  /** Password of {@code user}. Env {@code TRYNOW_NATS_PASSWORD}. */
  Optional<String> password();

  /** Authentication token. Env {@code TRYNOW_NATS_TOKEN}. */
  Optional<String> token();

  /** TLS to the server. */
  Tls tls();

  /** TLS settings (PEM files). Any of them turns TLS on. */
  interface Tls {
    /**
     * CA certificate(s) that signed the server's certificate. Env {@code TRYNOW_NATS_TLS_CA_FILE}.
     */
    Optional<Path> caFile();

    /**
     * Client certificate for mutual TLS; needs {@code key-file}. Env {@code
     * TRYNOW_NATS_TLS_CERT_FILE}.
     */
    Optional<Path> certFile();

    /** Private key of {@code cert-file}. Env {@code TRYNOW_NATS_TLS_KEY_FILE}. */
    Optional<Path> keyFile();
  }
}
