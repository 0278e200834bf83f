package io.trynow.proxysync.caddy;

import io.trynow.model.Ids;
import io.trynow.model.Labels;

/** One demo's route: {@code <id>.<demo domain>} → {@code upstream}. */
public record Route(String instanceId, String host, String upstream) {

  public Route {
    Ids.requireInstance(instanceId);
  }

  /** The route of an instance listening on {@code upstreamHost:port}. */
  public static Route of(String instanceId, String demoDomain, String upstreamHost, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return new Route(instanceId, instanceId + "." + demoDomain, upstreamHost + ":" + port);
  }

  /** The route's {@code @id} in Caddy's config. */
  public String routeId() {
    return Labels.routeId(instanceId);
  }
}
