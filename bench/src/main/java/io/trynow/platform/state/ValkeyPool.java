package io.trynow.platform.state;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The store's former client, kept in the benchmark only as the baseline the Vert.x client is
 * measured against ({@code ./trynow bench store}): up to {@code size} blocking connections, lent to
 * one caller at a time (most recently used first, so a quiet service keeps few sockets busy). A
 * connection that failed is closed, never returned, and so are the idle ones (after a Valkey
 * restart they are all dead); the next caller opens a fresh one, so a restarted Valkey is picked up
 * by itself. A failed call is never retried here: the command may have run.
 */
public final class ValkeyPool implements Commands {

  private static final java.util.concurrent.ExecutorService ASYNC =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  private final Endpoint endpoint;
  private final int timeoutMs;
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<RespConnection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  ValkeyPool(Endpoint endpoint, int size, int timeoutMs) {
    if (size < 1) {
      throw new IllegalArgumentException("pool size must be >= 1");
    }
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
    this.permits = new Semaphore(size);
  }

  /** A {@link Store} on this client (plain {@code redis://} only: no TLS, no Sentinel). */
  public static Store store(String url, String prefix) {
    return new Store(
        new ValkeyPool(Endpoint.parse(url), Store.POOL_SIZE, 5000),
        prefix,
        java.time.InstantSource.system(),
        Store.DEFAULT_RETENTION);
  }

  /**
   * A {@link Store} on the Vert.x client alone (no blocking lane): every call wakes the client's
   * event loop and is woken by it, as the services' calls were before #15.
   */
  public static Store vertxOnly(String url, String prefix) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    io.vertx.redis.client.RedisOptions options =
        new io.vertx.redis.client.RedisOptions()
            .setConnectionString(url)
            .setMaxPoolSize(Store.POOL_SIZE)
            .setMaxPoolWaiting(1024);
    return new Store(
        new ValkeyClient(
            io.vertx.redis.client.Redis.createClient(vertx, options),
            vertx,
            Endpoint.parse(url).toString(),
            Duration.ofSeconds(5),
            0,
            Duration.ofSeconds(1),
            null),
        prefix,
        java.time.InstantSource.system(),
        Store.DEFAULT_RETENTION);
  }

  @Override
  public java.util.concurrent.CompletionStage<Reply> callAsync(String... args) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> call(args), ASYNC);
  }

  @Override
  public String where() {
    return endpoint.toString();
  }

  /** One command, one reply. Error replies are returned; I/O failures throw. */
  @Override
  public Reply call(String... args) {
    if (closed) {
      throw new StoreException("store is closed");
    }
    try {
      if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new StoreException("no valkey connection free within " + timeoutMs + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for a valkey connection", e);
    }
    RespConnection c = null;
    try {
      c = idle.pollFirst();
      if (c == null) {
        c = new RespConnection(endpoint, timeoutMs);
      }
      Reply r = c.call(args);
      idle.offerFirst(c);
      c = null;
      return r;
    } catch (IOException e) {
      // the others were opened to the same server: after a restart they are all dead
      drainIdle();
      throw new StoreException("valkey at " + endpoint + " failed: " + e, e);
    } finally {
      if (c != null) {
        c.close();
      }
      permits.release();
    }
  }

  private void drainIdle() {
    RespConnection c;
    while ((c = idle.pollFirst()) != null) {
      c.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    drainIdle();
  }
}
