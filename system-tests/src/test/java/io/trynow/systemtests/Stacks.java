package io.trynow.systemtests;

import io.trynow.testsupport.SampleImage;
import java.util.Map;

/** The settings every system-test stack shares: short loops, generous limits, three templates. */
final class Stacks {

  private Stacks() {}

  /** Image that does not exist: provisioning it must fail permanently. */
  static final String MISSING_IMAGE =
      "trynow/missing-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ":1";

  /**
   * Templates: {@code hello} (pool of 2, long TTL), {@code brief} (pool of 1, 4 s TTL, for expiry)
   * {@code broken} (missing image) and {@code dup} (sample image), never pre-warmed: tests
   * provision those themselves.
   */
  static Stack.Builder standard(String name) {
    String sample = SampleImage.IMAGE;
    return base(name)
        .template(
            "hello",
            Map.of(
                "image", sample,
                "min-ready", "2",
                "max-total", "8",
                "max-in-flight", "4",
                "default-ttl", "10m",
                "extend-step", "5m",
                "max-lifetime", "30m",
                "health-timeout", "10s"))
        .template(
            "brief",
            Map.of(
                "image", sample,
                "health-path", "/healthz",
                "min-ready", "1",
                "max-total", "3",
                "max-in-flight", "2",
                "default-ttl", "4s",
                "extend-step", "1m",
                "max-lifetime", "1m",
                "health-timeout", "20s"))
        .template(
            "broken",
            Map.of(
                "image", MISSING_IMAGE,
                "health-path", "/healthz",
                "min-ready", "0",
                "max-total", "2",
                "max-in-flight", "1",
                "health-timeout", "5s"))
        .template(
            "dup",
            Map.of(
                "image", sample,
                "health-path", "/healthz",
                "min-ready", "0",
                "max-total", "2",
                "max-in-flight", "1",
                "health-timeout", "20s"));
  }

  /** Short loops and generous limits, no templates: what every system-test stack shares. */
  static Stack.Builder base(String name) {
    return visitorLimits(Stack.builder(name))
        .property(Service.POOL_SERVICE, "trynow.pool.replenish-interval", "1s")
        // cleanup: fast sweeps so that settling takes seconds, not minutes
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.reaper.interval", "250ms")
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.interval", "2s")
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.orphan-grace", "10s")
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.provisioning-deadline", "40s")
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.started-deadline", "30s")
        .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.terminating-grace", "10s")
        .property(Service.PROXY_SYNC, "trynow.proxy-sync.reconcile-interval", "1s");
  }

  /**
   * Generous visitor limits (no rate limit in the way: every test visitor comes from 127.0.0.1), an
   * admin key and a ticket secret; no service's loop or recovery setting is touched.
   */
  static Stack.Builder visitorLimits(Stack.Builder b) {
    return b
        // gateway: no rate limit in the way, an admin key for the dead-letter API
        .property(Service.API_GATEWAY, "trynow.gateway.admin-key-hash", Visitor.adminKeyHash())
        .property(Service.API_GATEWAY, "trynow.gateway.acquires-per-hour", "1000")
        .property(Service.API_GATEWAY, "trynow.gateway.acquires-per-day", "10000")
        .property(Service.API_GATEWAY, "trynow.gateway.reply-wait", "5s")
        .property(
            Service.API_GATEWAY,
            "trynow.gateway.ticket-secret",
            "system-test-ticket-secret-0123456789abcdef")
        // the one per-IP cap (fast path and pool-service's queue path alike)
        .property(Service.API_GATEWAY, "trynow.gateway.max-live-per-ip", "100");
  }
}
