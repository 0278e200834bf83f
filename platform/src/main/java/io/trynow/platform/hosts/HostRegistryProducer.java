package io.trynow.platform.hosts;

import io.quarkus.runtime.Startup;
import io.trynow.platform.docker.DockerConfig;
import io.trynow.platform.docker.DockerSettings;
import io.trynow.platform.endpoints.EndpointsConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Makes {@link HostRegistry} a bean, validated at startup: a bad host stops the service. */
@Singleton
public class HostRegistryProducer {

  private static final Logger LOG = Logger.getLogger(HostRegistryProducer.class);

  @Produces
  @Singleton
  @Startup
  HostRegistry hosts(HostsConfig config, DockerConfig docker, EndpointsConfig endpoints) {
    HostRegistry r =
        HostRegistry.from(config, DockerSettings.from(docker), endpoints.instanceHost().strip());
    for (DockerHost h : r.hosts()) {
      LOG.infof(
          "docker host %s: engine %s, instances at %s, capacity %d, labels %s",
          h.name(), h.engine(), h.address(), h.capacity(), h.labels());
    }
    return r;
  }
}
