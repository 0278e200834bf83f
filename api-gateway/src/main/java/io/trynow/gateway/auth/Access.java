package io.trynow.gateway.auth;

import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.Refusal;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * Who may see or change a demo or request: its owner (the access token whose hash is stored with
 * it) and, for read-only endpoints only, the holder of a signed ticket for that id.
 */
@Singleton
public class Access {

  private final Tickets tickets;

  public Access(GatewaySettings settings) {
    this.tickets = new Tickets(settings.secret());
  }

  public Tickets tickets() {
    return tickets;
  }

  /**
   * The bearer token from {@code authorization}; 401 when there is none.
   *
   * @throws Refusal 401
   */
  public static String requireBearer(String authorization) {
    String token = AccessTokens.bearer(authorization);
    if (token == null) {
      throw Refusal.unauthorized("send the access token as Authorization: Bearer <token>");
    }
    return token;
  }

  /**
   * Read access: the owner's token or a ticket for {@code ticketId}.
   *
   * @param ownerTokenHash the stored hash (null: nobody owns it, which reads as not found)
   * @throws Refusal 401 without credentials, 403 with wrong ones, 404 when unowned
   */
  public void requireReader(
      String ownerTokenHash, String authorization, String ticket, String ticketId) {
    String token = AccessTokens.bearer(authorization);
    if (token == null && ticket == null) {
      throw Refusal.unauthorized(
          "send the access token as Authorization: Bearer <token>, or use the ticket URL");
    }
    if (ownerTokenHash == null) {
      throw Refusal.notFound("no such demo");
    }
    boolean ok =
        (token != null && AccessTokens.matches(token, ownerTokenHash))
            || (ticket != null && tickets.verify(ticket, ticketId, Instant.now()));
    if (!ok) {
      throw Refusal.forbidden("this token or ticket is not valid for this resource");
    }
  }

  /** True when {@code ticket} is valid for {@code id} now. */
  public boolean ticketValid(String ticket, String id) {
    return ticket != null && tickets.verify(ticket, id, Instant.now());
  }
}
