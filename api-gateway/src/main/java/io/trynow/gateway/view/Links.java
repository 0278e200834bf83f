package io.trynow.gateway.view;

import io.trynow.gateway.auth.Access;
import io.trynow.gateway.config.GatewaySettings;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * The read-only URLs handed to a visitor, each with a short-lived signed ticket. A view's status
 * and events URL name the same id and expire together, so they share one ticket: one HMAC per
 * answer, not two.
 */
@Singleton
public class Links {

  /** The status URL and the Server-Sent Events URL of one request or demo. */
  public record Urls(String status, String events) {}

  private final Access access;
  private final GatewaySettings settings;
  private final String requests;
  private final String demos;

  public Links(Access access, GatewaySettings settings) {
    this.access = access;
    this.settings = settings;
    String base = settings.config().publicBaseUrl().map(b -> b.replaceAll("/+$", "")).orElse("");
    this.requests = base + "/v1/requests/";
    this.demos = base + "/v1/demos/";
  }

  private String ticket(String id) {
    return access.tickets().issue(id, Instant.now().plus(settings.config().ticketTtl()));
  }

  /** {@code /v1/requests/<id>?ticket=…} and {@code /v1/requests/<id>/events?ticket=…}. */
  public Urls request(String requestId) {
    return urls(requests, requestId);
  }

  /** {@code /v1/demos/<id>?ticket=…} and {@code /v1/demos/<id>/events?ticket=…}. */
  public Urls demo(String instanceId) {
    return urls(demos, instanceId);
  }

  private Urls urls(String prefix, String id) {
    String t = ticket(id);
    return new Urls(prefix + id + "?ticket=" + t, prefix + id + "/events?ticket=" + t);
  }
}
