package io.trynow.gateway.auth;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Short-lived signed tickets for the read-only {@code status_url} / {@code events_url} (browsers'
 * EventSource cannot send an Authorization header). A ticket is {@code <expiry epoch
 * s>.<base64url(HMAC-SHA256(secret, "ticket|" + id + "|" + expiry))>}: it names one request or
 * instance id and carries no token.
 */
public final class Tickets {

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\.([A-Za-z0-9_-]{43})");

  private final Secrets.HmacKey key;

  public Tickets(byte[] secret) {
    this.key = Secrets.hmacKey(Secrets.hmac(secret, "trynow ticket key"));
  }

  public String issue(String id, Instant expiresAt) {
    long exp = expiresAt.getEpochSecond();
    return exp + "." + sign(id, exp);
  }

  /** True when {@code ticket} was issued for {@code id} and has not expired at {@code now}. */
  public boolean verify(String ticket, String id, Instant now) {
    if (ticket == null || id == null || ticket.length() > 64) {
      return false;
    }
    var m = FORMAT.matcher(ticket);
    if (!m.matches()) {
      return false;
    }
    long exp = Long.parseLong(m.group(1));
    boolean signed = Secrets.constantTimeEquals(sign(id, exp), m.group(2));
    return signed && now.getEpochSecond() < exp;
  }

  private String sign(String id, long exp) {
    return Secrets.base64Url(key.sign("ticket|" + id + "|" + exp));
  }
}
