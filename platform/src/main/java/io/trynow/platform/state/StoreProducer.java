package io.trynow.platform.state;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Makes {@link Store} a bean: Valkey at {@code quarkus.redis.hosts} (the first host; the same
 * address the Quarkus Redis health check uses), settings from {@link ValkeyConfig}. Loads the
 * function library at startup; a Valkey that is down then does not stop the service, the first call
 * loads it instead.
 */
@Singleton
public class StoreProducer {

  private static final Logger LOG = Logger.getLogger(StoreProducer.class);

  @Produces
  @Singleton
  Store store(ValkeyConfig config, @ConfigProperty(name = "quarkus.redis.hosts") String hosts) {
    return new Store(
        hosts,
        config.prefix(),
        InstantSource.system(),
        config.retention(),
        config.timeout(),
        config.poolSize());
  }

  void close(@Disposes Store store) {
    store.close();
  }

  void onStart(@Observes StartupEvent ev, Store store) {
    try {
      store.loadFunctions();
    } catch (RuntimeException e) {
      LOG.warnf("valkey function library not loaded at startup (loaded on first call): %s", e);
    }
  }
}
