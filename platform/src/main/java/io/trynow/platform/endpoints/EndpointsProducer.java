package io.trynow.platform.endpoints;

import io.quarkus.runtime.Startup;
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
  Endpoints endpoints(EndpointsConfig config) {
    Endpoints e = Endpoints.from(config);
    LOG.infof("endpoints: %s", e);
    return e;
  }
}
