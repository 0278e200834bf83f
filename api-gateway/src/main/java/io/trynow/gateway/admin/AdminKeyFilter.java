package io.trynow.gateway.admin;

import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.rest.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Admin endpoints need {@code Authorization: Bearer <admin key>}; the key's SHA-256 is compared in
 * constant time with {@code trynow.gateway.admin-key-hash}. Without a configured hash the admin API
 * does not exist (404).
 */
@Provider
@AdminOnly
@Priority(Priorities.AUTHENTICATION)
public class AdminKeyFilter implements ContainerRequestFilter {

  // A provider: JAX-RS filters are built at static init, before runtime config exists.
  private final jakarta.inject.Provider<GatewaySettings> settingsProvider;

  public AdminKeyFilter(jakarta.inject.Provider<GatewaySettings> settings) {
    this.settingsProvider = settings;
  }

  @Override
  public void filter(ContainerRequestContext ctx) {
    GatewaySettings settings = settingsProvider.get();
    if (!settings.adminEnabled()) {
      throw ApiException.notFound("no such resource");
    }
    String key = AccessTokens.bearer(ctx.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (key == null) {
      throw ApiException.unauthorized("send the admin key as Authorization: Bearer <key>");
    }
    if (!settings.isAdminKey(key)) {
      throw ApiException.forbidden("not the admin key");
    }
  }
}
