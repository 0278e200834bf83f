package io.trynow.gateway.events;

import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.rest.ApiException;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds open event streams per client IP and in total (seed 000 finding 11, seed 002 H2: no
 * unbounded connections). A slot is taken before the stream opens and given back when it closes.
 */
@Singleton
public class SseLimiter {

  private final int perIp;
  private final int total;
  private final ConcurrentHashMap<String, AtomicInteger> byIp = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();

  public SseLimiter(GatewaySettings settings) {
    this.perIp = settings.config().sseMaxPerIp();
    this.total = settings.config().sseMaxTotal();
  }

  /** A slot for {@code ip}; close it when the stream ends. 429 when none is free. */
  public Slot acquire(String ip) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      throw new ApiException(503, "unavailable", "too many open event streams; retry shortly")
          .header("Retry-After", 5);
    }
    boolean[] admitted = new boolean[1];
    byIp.compute(
        ip,
        (k, n) -> {
          AtomicInteger c = n == null ? new AtomicInteger() : n;
          if (c.get() < perIp) {
            c.incrementAndGet();
            admitted[0] = true;
          }
          return c;
        });
    if (!admitted[0]) {
      open.decrementAndGet();
      throw new ApiException(
              429, "too_many_streams", "too many open event streams from this address")
          .header("Retry-After", 10);
    }
    return new Slot(ip);
  }

  public int open() {
    return open.get();
  }

  public int open(String ip) {
    AtomicInteger n = byIp.get(ip);
    return n == null ? 0 : n.get();
  }

  /** One open stream's slot. */
  public final class Slot implements AutoCloseable {
    private final String ip;
    private boolean closed;

    private Slot(String ip) {
      this.ip = ip;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      open.decrementAndGet();
      byIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }
}
