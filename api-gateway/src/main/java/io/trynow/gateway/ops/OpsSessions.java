package io.trynow.gateway.ops;

import io.trynow.gateway.auth.Secrets;
import io.trynow.gateway.auth.Tickets;
import io.trynow.gateway.config.GatewaySettings;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;

/**
 * The dashboard's session after one login: a cookie holding a signed ticket (HMAC with a key
 * derived from the gateway's shared secret, over the admin key's fingerprint and an expiry), so it
 * is valid on every replica, needs no server memory, and dies when the admin key changes. The key
 * itself never goes into the cookie.
 */
@Singleton
public class OpsSessions {

  /** Cookie name; HttpOnly, SameSite=Strict, Path=/. */
  public static final String COOKIE = "trynow_ops";

  /** Header a cookie-authenticated change must carry (a cross-site form cannot set it). */
  public static final String CSRF_HEADER = "X-Trynow-Ops";

  static final Duration TTL = Duration.ofHours(8);

  private final GatewaySettings settings;
  private final Tickets tickets;

  public OpsSessions(GatewaySettings settings) {
    this.settings = settings;
    this.tickets = new Tickets(Secrets.hmac(settings.secret(), "trynow ops session key"));
  }

  /** A new session value, or null when the admin API is off. */
  public String issue(Instant now) {
    return settings.adminEnabled() ? tickets.issue(subject(), now.plus(TTL)) : null;
  }

  public boolean valid(String cookie, Instant now) {
    return settings.adminEnabled() && tickets.verify(cookie, subject(), now);
  }

  private String subject() {
    return "ops|" + settings.adminKeyFingerprint();
  }
}
