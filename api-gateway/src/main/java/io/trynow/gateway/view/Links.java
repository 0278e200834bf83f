package io.trynow.gateway.view;

import io.trynow.gateway.auth.Access;
import io.trynow.gateway.config.GatewaySettings;
import jakarta.inject.Singleton;
import java.time.Instant;

/** The read-only URLs handed to a visitor, each with a short-lived signed ticket. */
@Singleton
public class Links {

  private final Access access;
  private final GatewaySettings settings;
  private final String base;

  public Links(Access access, GatewaySettings settings) {
    this.access = access;
    this.settings = settings;
    this.base = settings.config().publicBaseUrl().map(b -> b.replaceAll("/+$", "")).orElse("");
  }

  private String ticket(String id) {
    return access.tickets().issue(id, Instant.now().plus(settings.config().ticketTtl()));
  }

  public String requestStatus(String requestId) {
    return base + "/v1/requests/" + requestId + "?ticket=" + ticket(requestId);
  }

  public String requestEvents(String requestId) {
    return base + "/v1/requests/" + requestId + "/events?ticket=" + ticket(requestId);
  }

  public String demoStatus(String instanceId) {
    return base + "/v1/demos/" + instanceId + "?ticket=" + ticket(instanceId);
  }

  public String demoEvents(String instanceId) {
    return base + "/v1/demos/" + instanceId + "/events?ticket=" + ticket(instanceId);
  }
}
