package io.trynow.platform.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one NATS connection of a service. Connecting never blocks startup: a service whose NATS is
 * down starts, reports not ready, and connects (and reconnects, forever) in the background. Drained
 * when the application stops (priority 9000), after the supervisor has stopped the consumers and
 * their in-flight handlers ({@code SupervisorProducer}, priority 100).
 */
@Singleton
public class NatsClient {

  private static final Logger LOG = Logger.getLogger(NatsClient.class);

  private final NatsConfig config;
  private final String appName;
  private final CompletableFuture<Connection> connection = new CompletableFuture<>();
  private final NatsSecurity security;
  private final AtomicReference<String> serverError = new AtomicReference<>();
  private final AtomicReference<String> clientError = new AtomicReference<>();

  /**
   * @throws IllegalArgumentException naming the key when the credentials or TLS settings are bad
   */
  NatsClient(NatsConfig config, @ConfigProperty(name = "quarkus.application.name") String appName) {
    this.config = config;
    this.appName = appName;
    this.security = NatsSecurity.from(config);
  }

  void onStart(@Observes @Priority(10) StartupEvent ev) throws InterruptedException {
    Options options =
        security
            .apply(new Options.Builder())
            .server(config.url())
            .connectionName(appName)
            .connectionTimeout(config.connectTimeout())
            .reconnectWait(config.reconnectWait())
            .maxReconnects(-1)
            .connectionListener(this::onEvent)
            .errorListener(new LoggingErrorListener(serverError::set, clientError::set))
            .build();
    LOG.infof("nats: connecting to %s (%s)", config.url(), security);
    Nats.connectAsynchronously(options, true);
  }

  /** How this service authenticates and whether it uses TLS (never a secret). */
  public NatsSecurity security() {
    return security;
  }

  /**
   * Why the client is not connected, or null: the last error the server sent since the last connect
   * (e.g. {@code Authorization Violation}; a failed attempt then also times out, which must not
   * hide it), else the client's last exception (a TLS handshake failure, a refused connection).
   * What readiness shows while not connected.
   */
  public String lastError() {
    String server = serverError.get();
    return server != null ? server : clientError.get();
  }

  private void onEvent(Connection conn, ConnectionListener.Events event) {
    // When the first attempt fails (NATS down or slow at startup), jnats reaches the server through
    // its reconnect logic and reports RECONNECTED, never CONNECTED: both mean "connected".
    boolean connected =
        event == ConnectionListener.Events.CONNECTED
            || event == ConnectionListener.Events.RECONNECTED;
    if (connected) {
      serverError.set(null);
      clientError.set(null);
    }
    if (connected && connection.complete(conn)) {
      LOG.infof("nats connected to %s", conn.getConnectedUrl());
    } else if (event != ConnectionListener.Events.DISCOVERED_SERVERS) {
      LOG.infof("nats connection event: %s", event.name());
    }
  }

  /** True while connected (not while reconnecting or before the first connect). */
  public boolean isConnected() {
    Connection c = connection.getNow(null);
    return c != null && c.getStatus() == Connection.Status.CONNECTED;
  }

  /** The connection, waiting up to {@code wait} for the first connect. */
  public Connection connection(Duration wait) throws TimeoutException, InterruptedException {
    try {
      return connection.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * The connection, waiting up to the connect timeout for the first connect; the plumbing's
   * connection source ({@code Supplier<Connection>}).
   *
   * @throws IllegalStateException when NATS has not been reached yet
   */
  public Connection awaitConnection() {
    try {
      return connection(config.connectTimeout());
    } catch (TimeoutException e) {
      throw new IllegalStateException("NATS not connected yet (" + config.url() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for NATS", e);
    }
  }

  /** The connection if the first connect has happened, else null. */
  public Connection connectionOrNull() {
    return connection.getNow(null);
  }

  void onStop(@Observes @Priority(9000) ShutdownEvent ev) {
    Connection c = connection.getNow(null);
    if (c == null) {
      return;
    }
    try {
      c.drain(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warnf("nats drain failed: %s", e.toString());
    }
  }
}
