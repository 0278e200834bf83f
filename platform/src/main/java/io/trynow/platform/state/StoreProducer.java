package io.trynow.platform.state;

import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.Redis;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import org.jboss.logging.Logger;

/**
 * Makes {@link Store} a bean over the Quarkus-managed Valkey client, and loads the function library
 * at startup. A Valkey that is down at startup does not stop the service: the first call loads the
 * library instead.
 */
@Singleton
public class StoreProducer {

  private static final Logger LOG = Logger.getLogger(StoreProducer.class);

  @Produces
  @Singleton
  Store store(Redis redis, ValkeyConfig config) {
    return new Store(
        redis, config.prefix(), InstantSource.system(), config.retention(), config.timeout());
  }

  void onStart(@Observes StartupEvent ev, Store store) {
    try {
      store.loadFunctions();
    } catch (RuntimeException e) {
      LOG.warnf("valkey function library not loaded at startup (loaded on first call): %s", e);
    }
  }
}
