package io.trynow.platform.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Calls the library's functions over the Vert.x Redis client, blocking the calling thread (a worker
 * or virtual thread, never an event loop). Loads the library on first use and again whenever Valkey
 * says a function is missing (after {@code FUNCTION FLUSH}, a restart without persistence, or a
 * failover to an empty replica), then retries the call once.
 */
final class FunctionClient implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FunctionClient.class);

  private final Redis redis;
  private final Vertx ownedVertx;
  private final Library library;
  private final String base;
  private final long timeoutMs;
  private volatile boolean loaded;

  FunctionClient(Redis redis, Vertx ownedVertx, Library library, String base, Duration timeout) {
    this.redis = redis;
    this.ownedVertx = ownedVertx;
    this.library = library;
    this.base = base;
    this.timeoutMs = timeout.toMillis();
  }

  /** {@code FUNCTION LOAD REPLACE} of the library. */
  void load() {
    await(
        redis.send(Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(library.source())));
    loaded = true;
    LOG.debugf("loaded valkey function library trynow_%s", library.version());
  }

  /** {@code FCALL trynow_<v>_<name> 1 <base> args...}. Reloads and retries once if missing. */
  Response call(String name, String... args) {
    if (!loaded) {
      load();
    }
    Request req = Request.cmd(Command.FCALL).arg(library.function(name)).arg(1).arg(base);
    for (String a : args) {
      req.arg(a);
    }
    try {
      return await(redis.send(req));
    } catch (StoreException e) {
      if (!isFunctionMissing(e)) {
        throw e;
      }
      LOG.infof("valkey lost the function library (%s); loading it again", e.getMessage());
      load();
      return await(redis.send(req));
    }
  }

  /** A plain command (for reads that need no function, and PING). */
  Response command(Command cmd, String... args) {
    Request req = Request.cmd(cmd);
    for (String a : args) {
      req.arg(a);
    }
    return await(redis.send(req));
  }

  private static boolean isFunctionMissing(StoreException e) {
    String m = e.getMessage();
    return m != null && m.contains("Function not found");
  }

  private Response await(Future<Response> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for valkey", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      String m = c.getMessage() == null ? c.toString() : c.getMessage();
      if (m.contains("BADARG")) {
        throw new IllegalArgumentException(m);
      }
      throw new StoreException(m, c);
    } catch (TimeoutException e) {
      throw new StoreException("valkey did not answer within " + timeoutMs + " ms", e);
    }
  }

  @Override
  public void close() {
    if (ownedVertx != null) {
      redis.close();
      try {
        ownedVertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debugf("vertx close: %s", e.toString());
      }
    }
  }
}
