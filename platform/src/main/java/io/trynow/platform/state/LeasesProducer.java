package io.trynow.platform.state;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes {@link Leases} a bean: this worker's claims, under its {@link WorkerConfig} id. */
@Singleton
public class LeasesProducer {

  @Produces
  @Singleton
  Leases leases(
      Store store,
      WorkerConfig worker,
      ValkeyConfig valkey,
      @ConfigProperty(name = "quarkus.application.name") String application,
      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
    String id = worker.id().orElseGet(() -> defaultId(application, port));
    try {
      return new Leases(store, InstantSource.system(), id, valkey.retention());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trynow.worker.id: " + e.getMessage(), e);
    }
  }

  static String defaultId(String application, int port) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    String id = (application + "@" + host + ":" + port).replaceAll("[^A-Za-z0-9_.:@-]", "-");
    return id.length() <= 96 ? id : id.substring(id.length() - 96);
  }
}
