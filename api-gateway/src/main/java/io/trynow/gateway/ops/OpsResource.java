package io.trynow.gateway.ops;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.Refusal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The dashboard's login: the admin key once, then a session cookie ({@link OpsSessions}). The
 * dashboard itself is static (web/ops, served by {@link ManagementRoutes}) and calls the admin API
 * with that cookie. Served on the management port only ({@link ManagementRoutes}).
 */
@Path("/ops/api")
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
public class OpsResource {

  private final GatewaySettings settings;
  private final OpsSessions sessions;

  public OpsResource(GatewaySettings settings, OpsSessions sessions) {
    this.settings = settings;
    this.sessions = sessions;
  }

  /** Body of a login. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Login(String key) {}

  /** Whether the caller's cookie is a live session. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Session(boolean loggedIn, boolean adminEnabled) {}

  @GET
  @Path("session")
  @Operation(summary = "Is the dashboard session cookie valid")
  public Session session(@CookieParam(OpsSessions.COOKIE) String cookie) {
    return new Session(sessions.valid(cookie, Instant.now()), settings.adminEnabled());
  }

  @POST
  @Path("login")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Log in to the dashboard with the admin key (sets the session cookie)")
  public Response login(Login body) {
    if (!settings.adminEnabled()) {
      throw Refusal.notFound("the admin API is off (no admin key hash configured)");
    }
    if (body == null || body.key() == null || body.key().isBlank()) {
      throw Refusal.badRequest("key is required");
    }
    if (!settings.isAdminKey(body.key().strip())) {
      throw Refusal.forbidden("not the admin key");
    }
    return Response.noContent()
        .cookie(cookie(sessions.issue(Instant.now()), (int) OpsSessions.TTL.toSeconds()))
        .build();
  }

  @POST
  @Path("logout")
  @Operation(summary = "End the dashboard session")
  public Response logout() {
    return Response.noContent().cookie(cookie("", 0)).build();
  }

  private static NewCookie cookie(String value, int maxAge) {
    return new NewCookie.Builder(OpsSessions.COOKIE)
        .value(value)
        .path("/")
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge(maxAge)
        .build();
  }
}
