package io.trynow.platform.endpoints;

import io.quarkus.runtime.Startup;
import io.trynow.platform.hosts.HostsConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Makes {@link Endpoints} a bean, validated at startup: a bad address stops the service. */
@Singleton
public class EndpointsProducer {

  private static final Logger LOG = Logger.getLogger(EndpointsProducer.class);

  @Produces
  @Singleton
  @Startup
  Endpoints endpoints(EndpointsConfig config, HostsConfig hosts) {
    java.util.Map<String, String> addresses = new java.util.TreeMap<>();
    hosts.hosts().forEach((name, h) -> addresses.put(name, h.address()));
    Endpoints e = Endpoints.from(config, addresses);
    LOG.infof("endpoints: %s", e);
    return e;
  }
}
