package io.trynow.platform.state;

import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.Redis;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Makes {@link Store} a bean on the one Valkey client of the service: the Vert.x Redis client that
 * quarkus-redis-client configures from {@code quarkus.redis.*} (address or Sentinel, TLS, password,
 * ACL user, pool), used through its non-blocking API; store settings from {@link ValkeyConfig}.
 * With a standalone Valkey without TLS, blocking callers get the blocking lane beside it ({@link
 * BlockingConnections}, {@code trynow.valkey.blocking-lane}). Loads the function library at
 * startup; a Valkey that is down then does not stop the service, the first call loads it instead.
 */
@Singleton
public class StoreProducer {

  private static final Logger LOG = Logger.getLogger(StoreProducer.class);

  @Produces
  @Singleton
  Store store(
      ValkeyConfig config,
      Redis redis,
      @ConfigProperty(name = "quarkus.redis.hosts") String hosts,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String type,
      @ConfigProperty(name = "quarkus.redis.master-name") Optional<String> master,
      @ConfigProperty(name = "quarkus.redis.password") Optional<String> password,
      @ConfigProperty(name = "quarkus.redis.tls-configuration-name") Optional<String> tlsName,
      @ConfigProperty(name = "quarkus.redis.tls.enabled", defaultValue = "false") boolean tls,
      @ConfigProperty(name = "quarkus.redis.max-pool-size", defaultValue = "6") int poolSize) {
    if (config.waitReplicas() < 0) {
      throw new IllegalArgumentException("trynow.valkey.wait-replicas must be >= 0");
    }
    Args.requirePositive(config.waitTimeout(), "trynow.valkey.wait-timeout");
    Args.requirePositive(config.timeout(), "trynow.valkey.timeout");
    String where = Endpoint.describe(hosts);
    if ("sentinel".equalsIgnoreCase(type)) {
      where = "sentinel master " + master.orElse("mymaster") + " via " + where;
    }
    BlockingConnections lane = null;
    if (config.blockingLane()
        && !"sentinel".equalsIgnoreCase(type)
        && tlsName.isEmpty()
        && !tls
        && !hosts.contains(",")) {
      lane = blockingLane(Endpoint.parse(hosts), password, config, poolSize);
    }
    LOG.infof(
        "valkey at %s: %s",
        where, lane == null ? "Vert.x client" : "Vert.x client + blocking lane");
    ValkeyClient client =
        new ValkeyClient(
            redis,
            null,
            where,
            config.timeout(),
            config.waitReplicas(),
            config.waitTimeout(),
            lane);
    if ("standalone".equalsIgnoreCase(type)) {
      // with Sentinel the pool follows a failover; a loop's own connection would not
      client.withLoopConnections();
    }
    return new Store(client, config.prefix(), InstantSource.system(), config.retention());
  }

  /**
   * The lane on the address the Vert.x client uses, logged in as it is (its own credentials in the
   * address, else {@code trynow.valkey.user} / {@code quarkus.redis.password}); null for TLS.
   */
  static BlockingConnections blockingLane(
      Endpoint e, Optional<String> password, ValkeyConfig config, int poolSize) {
    if (e.tls()) {
      return null;
    }
    Endpoint login = e;
    if (e.password() == null && password.isPresent() && !password.get().isEmpty()) {
      String user = config.user().filter(u -> !u.isBlank()).orElse(e.user());
      login = new Endpoint(false, e.host(), e.port(), user, password.get(), e.db());
    }
    return new BlockingConnections(login, Math.max(1, poolSize), config.timeout());
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
