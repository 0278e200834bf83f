package io.trynow.platform.state;

import io.vertx.core.Context;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One connection of the client's pool per event loop, kept for the commands sent from that loop
 * (the gateway's acquire calls the store there). Through the pool, each such command first leases a
 * connection (a queue shared by every loop), is written by the loop that connection belongs to, and
 * its reply comes back on that loop and is handed to the caller's: up to two thread hand-offs and a
 * lease and release per command. On a busy machine those hand-offs wait behind everything else
 * queued on the other loops, leases wait for them, and a short stall grew into a queue of seconds
 * (issue #15: the gateway's {@code rate_limit} stage p50 2.9 s at 500 acquires/s while Valkey
 * answered in ms). Here the caller's loop writes the command on its own connection and reads the
 * reply itself; commands from the same loop are pipelined on it.
 *
 * <p>A loop without its connection yet (opening, or after a failure) goes through the pool; the
 * connection is opened in the background, at most once a second per loop while Valkey refuses. A
 * connection that fails or closes is dropped and its commands fail as they would on the pool's
 * (never retried here: they may have run). Only for a standalone Valkey (with Sentinel the pool
 * follows a failover); callers on any other thread always use the pool.
 */
final class LoopConnections implements AutoCloseable {

  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Redis redis;
  private final ConcurrentHashMap<Thread, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  LoopConnections(Redis redis) {
    this.redis = redis;
  }

  /** The connection of the calling event loop, or null (not a loop, or none open right now). */
  RedisConnection current() {
    if (closed || !Context.isOnEventLoopThread()) {
      return null;
    }
    Thread loop = Thread.currentThread();
    Slot s = slots.computeIfAbsent(loop, t -> new Slot());
    RedisConnection c = s.connection;
    if (c == null) {
      s.openIfDue();
    }
    return c;
  }

  /** One loop's connection; touched only by that loop (and by {@link #close}). */
  private final class Slot {
    private volatile RedisConnection connection;
    private boolean opening;
    private long retryAt = System.nanoTime();

    void openIfDue() {
      if (opening || System.nanoTime() - retryAt < 0) {
        return;
      }
      opening = true;
      redis
          .connect()
          .onComplete(ar -> {
            opening = false;
            if (ar.failed()) {
              retryAt = System.nanoTime() + RETRY_NANOS;
              return;
            }
            RedisConnection c = ar.result();
            if (closed) {
              c.close();
              return;
            }
            c.exceptionHandler(e -> drop(c));
            c.endHandler(v -> drop(c));
            connection = c;
          });
    }

    private void drop(RedisConnection c) {
      if (connection == c) {
        connection = null;
        retryAt = System.nanoTime() + RETRY_NANOS;
        c.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Slot s : slots.values()) {
      RedisConnection c = s.connection;
      s.connection = null;
      if (c != null) {
        c.close();
      }
    }
    slots.clear();
  }
}
