package io.trynow.gateway.config;

import io.quarkus.runtime.Startup;
import io.trynow.gateway.auth.Secrets;
import io.trynow.gateway.net.TrustedProxies;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@link GatewayConfig} checked and turned into what the code uses. Built at startup: a bad value
 * fails the start with an {@link IllegalArgumentException} naming the key (invalid configuration
 * fails startup naming the key: a bad trusted-proxy list is never ignored).
 */
@Startup
@Singleton
public class GatewaySettings {

  private static final Logger LOG = Logger.getLogger(GatewaySettings.class);
  private static final String P = "trynow.gateway.";

  private final GatewayConfig config;
  private final TrustedProxies trustedProxies;
  private final byte[] secret;
  private final List<byte[]> apiKeyHashes;
  private final byte[] adminKeyHash;

  public GatewaySettings(GatewayConfig config) {
    this.config = config;
    this.trustedProxies = parseProxies(config.trustedProxies().orElse(List.of()));
    this.secret =
        parseSecret(
            valueOrFile("ticket-secret", config.ticketSecret(), config.ticketSecretFile()),
            config.randomTicketSecret());
    this.apiKeyHashes = parseApiKeys(apiKeys(config));
    this.adminKeyHash =
        parseAdminHash(
            valueOrFile("admin-key-hash", config.adminKeyHash(), config.adminKeyHashFile()));
    positive("reply-wait", config.replyWait());
    positive("ticket-ttl", config.ticketTtl());
    positive("sse-max-duration", config.sseMaxDuration());
    positive("sse-heartbeat", config.sseHeartbeat());
    if (config.ssePositionInterval().isNegative()) {
      throw bad("sse-position-interval", "must be 0s or more, got " + config.ssePositionInterval());
    }
    if (config.sseLease().compareTo(Duration.ofSeconds(3)) < 0) {
      throw bad("sse-lease", "must be at least 3s, got " + config.sseLease());
    }
    positive("expiring-warning", config.expiringWarning());
    atLeastOne("acquires-per-hour", config.acquiresPerHour());
    atLeastOne("acquires-per-day", config.acquiresPerDay());
    if (config.maxLivePerIp() < 0) {
      throw bad("max-live-per-ip", "must be at least 0 (0: no cap)");
    }
    atLeastOne("sse-max-per-ip", config.sseMaxPerIp());
    atLeastOne("sse-max-total", config.sseMaxTotal());
    if (config.acquiresPerDay() < config.acquiresPerHour()) {
      throw bad("acquires-per-day", "must be at least acquires-per-hour");
    }
    config
        .publicBaseUrl()
        .ifPresent(u -> {
          if (!u.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+(/[A-Za-z0-9._~\\-/]*)?")) {
            throw bad("public-base-url", "must be an http(s) URL without query, got '" + u + "'");
          }
        });
  }

  public GatewayConfig config() {
    return config;
  }

  public TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** The HMAC key for tickets and idempotency keys. */
  public byte[] secret() {
    return secret.clone();
  }

  public boolean apiKeyRequired() {
    return !apiKeyHashes.isEmpty();
  }

  /** True when {@code key} is one of the configured API keys (constant time per key). */
  public boolean isApiKey(String key) {
    if (key == null) {
      return false;
    }
    byte[] h = Secrets.sha256(key.getBytes(StandardCharsets.UTF_8));
    boolean match = false;
    for (byte[] k : apiKeyHashes) {
      match |= java.security.MessageDigest.isEqual(k, h);
    }
    return match;
  }

  public boolean adminEnabled() {
    return adminKeyHash != null;
  }

  /** Hex of the admin key's SHA-256, or "" when none is set (binds dashboard sessions to it). */
  public String adminKeyFingerprint() {
    return adminKeyHash == null ? "" : java.util.HexFormat.of().formatHex(adminKeyHash);
  }

  /** True when {@code key} hashes to the configured admin key hash (constant time). */
  public boolean isAdminKey(String key) {
    if (adminKeyHash == null || key == null) {
      return false;
    }
    byte[] h = Secrets.sha256(key.getBytes(StandardCharsets.UTF_8));
    return java.security.MessageDigest.isEqual(adminKeyHash, h);
  }

  static TrustedProxies parseProxies(List<String> entries) {
    try {
      return TrustedProxies.parse(entries);
    } catch (IllegalArgumentException e) {
      throw bad("trusted-proxies", e.getMessage());
    }
  }

  /**
   * The secret of {@code key} from its value or from {@code key-file} (a mounted Secret; trailing
   * whitespace dropped); null when neither is set or the file is empty. Both set is an error.
   */
  static String valueOrFile(String key, Optional<String> value, Optional<Path> file) {
    if (value.isPresent() && file.isPresent()) {
      throw bad(key, "set either " + P + key + " or " + P + key + "-file, not both");
    }
    if (file.isEmpty()) {
      return value.filter(v -> !v.isBlank()).orElse(null);
    }
    try {
      String s = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? null : s;
    } catch (IOException | UncheckedIOException e) {
      throw bad(key + "-file", "cannot read " + file.get() + " (" + e.getMessage() + ")");
    }
  }

  /**
   * The API keys from {@code api-keys} or from {@code api-keys-file} (comma or newline separated).
   */
  private static List<String> apiKeys(GatewayConfig c) {
    if (c.apiKeysFile().isEmpty()) {
      return c.apiKeys().orElse(List.of());
    }
    String s = valueOrFile("api-keys", c.apiKeys().map(l -> String.join(",", l)), c.apiKeysFile());
    return s == null ? List.of() : List.of(s.split("[,\\s]+"));
  }

  private static byte[] parseSecret(String s, boolean randomAllowed) {
    if (s == null) {
      if (!randomAllowed) {
        throw new IllegalArgumentException(
            "missing configuration "
                + P
                + "ticket-secret: set TRYNOW_GATEWAY_TICKET_SECRET or"
                + " TRYNOW_GATEWAY_TICKET_SECRET_FILE (a file, e.g. a mounted Secret, holding at"
                + " least 32 characters; generate one with `openssl rand -hex 32`). Every gateway"
                + " replica needs the same secret: tickets and Idempotency-Keys must work on each."
                + " Only the dev profile invents one (trynow.gateway.random-ticket-secret).");
      }
      LOG.warn(
          "trynow.gateway.ticket-secret is not set: using a random secret for this process"
              + " (dev profile); tickets and Idempotency-Keys do not survive a restart or cross"
              + " replicas");
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      return b;
    }
    if (s.length() < 32) {
      throw bad("ticket-secret", "must be at least 32 characters");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> parseApiKeys(List<String> keys) {
    List<byte[]> out = new ArrayList<>();
    for (String k : keys) {
      if (k.isBlank()) {
        continue;
      }
      if (k.strip().length() < 16) {
        throw bad("api-keys", "every key must be at least 16 characters");
      }
      out.add(Secrets.sha256(k.strip().getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static byte[] parseAdminHash(String hex) {
    if (hex == null || hex.isBlank()) {
      return null;
    }
    String h = hex.strip().toLowerCase(Locale.ROOT);
    if (!h.matches("[0-9a-f]{64}")) {
      throw bad("admin-key-hash", "must be the SHA-256 of the admin key as 64 hex characters");
    }
    return HexFormat.of().parseHex(h);
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw bad(key, "must be positive");
    }
  }

  private static void atLeastOne(String key, int n) {
    if (n < 1) {
      throw bad(key, "must be at least 1");
    }
  }

  static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("invalid configuration " + P + key + ": " + why);
  }
}
