package io.trynow.gateway.admin;

import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.ops.OpsSessions;
import io.trynow.gateway.outcome.Refusal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Admin endpoints need {@code Authorization: Bearer <admin key>}; the key's SHA-256 is compared in
 * constant time with {@code trynow.gateway.admin-key-hash}. The dashboard's session cookie ({@link
 * OpsSessions}) is accepted instead; a change made with it must carry {@code X-Trynow-Ops} (which a
 * cross-site form cannot send). Without a configured hash the admin API does not exist (404).
 */
@Provider
@AdminOnly
@Priority(Priorities.AUTHENTICATION)
public class AdminKeyFilter implements ContainerRequestFilter {

  // A provider: JAX-RS filters are built at static init, before runtime config exists.
  private final jakarta.inject.Provider<GatewaySettings> settingsProvider;
  private final jakarta.inject.Provider<OpsSessions> sessionsProvider;

  public AdminKeyFilter(
      jakarta.inject.Provider<GatewaySettings> settings,
      jakarta.inject.Provider<OpsSessions> sessions) {
    this.settingsProvider = settings;
    this.sessionsProvider = sessions;
  }

  @Override
  public void filter(ContainerRequestContext ctx) {
    GatewaySettings settings = settingsProvider.get();
    if (!settings.adminEnabled()) {
      throw Refusal.notFound("no such resource");
    }
    String key = AccessTokens.bearer(ctx.getHeaderString(HttpHeaders.AUTHORIZATION));
    Cookie session = ctx.getCookies().get(OpsSessions.COOKIE);
    if (key == null
        && session != null
        && sessionsProvider.get().valid(session.getValue(), java.time.Instant.now())) {
      boolean reads = ctx.getMethod().equals("GET") || ctx.getMethod().equals("HEAD");
      if (!reads && ctx.getHeaderString(OpsSessions.CSRF_HEADER) == null) {
        throw Refusal.forbidden(
            "a change with the session cookie needs " + OpsSessions.CSRF_HEADER);
      }
      return;
    }
    if (key == null) {
      throw Refusal.unauthorized("send the admin key as Authorization: Bearer <key>");
    }
    if (!settings.isAdminKey(key)) {
      throw Refusal.forbidden("not the admin key");
    }
  }
}
