package io.trynow.platform.docker;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The client of one Docker engine that can drop its connection pool. docker-java's httpclient5
 * transport never checks a pooled connection before reusing it; after the engine restarts, every
 * pooled connection is dead, and a non-idempotent call (create, start, remove) sent on one fails
 * with "Broken pipe" — it is not retried like a GET. A provisioner with a pool full of dead
 * connections kept failing its circuit breaker's trial calls long after the engine was back. The
 * breaker calls {@link #reconnect()} when it opens, so the engine's first call after it comes back
 * goes over a fresh connection.
 */
public final class EngineClient implements Supplier<DockerClient>, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EngineClient.class);

  private final Supplier<DockerClient> factory;
  private volatile DockerClient current;

  /**
   * A client of the engine {@code settings} names; reconnecting builds another one the same way.
   */
  public EngineClient(DockerSettings settings) {
    this(() -> DockerClients.create(settings));
  }

  EngineClient(Supplier<DockerClient> factory) {
    this.factory = factory;
    this.current = factory.get();
  }

  @Override
  public DockerClient get() {
    return current;
  }

  /** Replaces the client (a fresh, empty connection pool) and closes the old one. */
  public void reconnect() {
    DockerClient old;
    synchronized (this) {
      old = current;
      current = factory.get();
    }
    LOG.debug("Docker engine client reconnected: pooled connections dropped");
    closeQuietly(old);
  }

  @Override
  public void close() {
    closeQuietly(current);
  }

  private static void closeQuietly(DockerClient c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
  }
}
