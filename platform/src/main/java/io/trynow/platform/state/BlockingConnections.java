package io.trynow.platform.state;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;

/**
 * The store's blocking lane: up to {@code size} plain connections on which a caller that may block
 * (a worker or virtual thread) writes its command and reads the reply itself. Through the Vert.x
 * client the same call wakes the client's event loop to write it and is woken again by it with the
 * reply — two thread wake-ups, each ~0.5–1 ms when the machine is idle between requests (sparse
 * traffic), against ~0.03 ms when it is busy (issue #15). Here the calling thread is the only one
 * that runs.
 *
 * <p>Only for a standalone Valkey without TLS ({@link ValkeyClient} decides); TLS and Sentinel
 * (failover) stay with the Vert.x client, and so does every non-blocking caller. Connections are
 * opened on demand and lent most recently used first, so a quiet service keeps one or two. A caller
 * that finds none free does not wait: it gets null and goes through the Vert.x client. An idle
 * connection the server closed (a restart) is noticed before a command is written to it and
 * replaced; a call that fails on the wire is never retried (it may have run), its connection is
 * closed, and so are the idle ones (after a restart they are all dead).
 */
final class BlockingConnections implements AutoCloseable {

  private final Endpoint endpoint;
  private final int timeoutMs;
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<RespConnection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /**
   * @param endpoint a plain {@code redis://} address with its credentials
   * @param size most connections (callers at once on this lane)
   * @param timeout connect and reply deadline of one call
   */
  BlockingConnections(Endpoint endpoint, int size, Duration timeout) {
    if (endpoint.tls()) {
      throw new IllegalArgumentException("the blocking lane has no TLS: " + endpoint);
    }
    if (size < 1) {
      throw new IllegalArgumentException("pool size must be >= 1");
    }
    this.endpoint = endpoint;
    this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    this.permits = new Semaphore(size);
  }

  /**
   * The commands, pipelined on one connection, and their replies in order (error replies as
   * values); null when no connection is free right now. Fails with {@link StoreException} when no
   * reply came (connect refused, timeout, connection lost).
   */
  List<Reply> send(List<String[]> commands) {
    if (closed || !permits.tryAcquire()) {
      return null;
    }
    RespConnection c = null;
    try {
      c = borrow();
      List<Reply> replies =
          commands.size() == 1 ? List.of(c.call(commands.get(0))) : c.pipeline(commands);
      idle.offerFirst(c);
      c = null;
      return replies;
    } catch (java.net.SocketTimeoutException e) {
      drainIdle();
      throw new StoreException(
          "valkey at " + endpoint + " did not answer within " + timeoutMs + " ms", e);
    } catch (IOException e) {
      drainIdle();
      throw new StoreException("valkey at " + endpoint + " failed: " + ValkeyClient.describe(e), e);
    } finally {
      if (c != null) {
        c.close();
      }
      permits.release();
    }
  }

  private RespConnection borrow() throws IOException {
    RespConnection c;
    while ((c = idle.pollFirst()) != null) {
      if (!c.stale()) {
        return c;
      }
      c.close();
    }
    return new RespConnection(endpoint, timeoutMs);
  }

  private void drainIdle() {
    RespConnection c;
    while ((c = idle.pollFirst()) != null) {
      c.close();
    }
  }

  /** Connections open and idle now (tests). */
  int idleCount() {
    return idle.size();
  }

  @Override
  public void close() {
    closed = true;
    drainIdle();
  }
}
