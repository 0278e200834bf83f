package io.trynow.platform.state;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Singleton;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs the Quarkus Redis client in as {@code trynow.valkey.user} with {@code
 * quarkus.redis.password}: the Vert.x client takes an ACL user only from the address ({@code
 * redis://user:password@host}), so the user and password are written into every address (the Valkey
 * nodes, or the sentinels — Vert.x uses the same credentials for both) that has no credentials of
 * its own. The user is plain configuration, the password stays in its own secret.
 */
@Singleton
public class ValkeyUser implements RedisOptionsCustomizer {

  private final ValkeyConfig config;

  public ValkeyUser(ValkeyConfig config) {
    this.config = config;
  }

  @Override
  public void customize(String clientName, RedisOptions options) {
    if (config.user().isEmpty() || config.user().get().isBlank()) {
      return;
    }
    String password = options.getPassword();
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException(
          "trynow.valkey.user is set but quarkus.redis.password (QUARKUS_REDIS_PASSWORD) is not");
    }
    String userinfo = encode(config.user().get()) + ":" + encode(password) + "@";
    List<String> endpoints = new ArrayList<>();
    for (String e : options.getEndpoints()) {
      int scheme = e.indexOf("://");
      boolean hasCredentials = scheme >= 0 && e.indexOf('@', scheme) >= 0;
      endpoints.add(
          scheme < 0 || hasCredentials
              ? e
              : e.substring(0, scheme + 3) + userinfo + e.substring(scheme + 3));
    }
    options.setEndpoints(endpoints);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
