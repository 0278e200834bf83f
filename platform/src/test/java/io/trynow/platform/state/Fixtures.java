package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Small helpers that drive instances through the state machine for tests. */
final class Fixtures {

  static final String TOKEN = "0123456789abcdef0123456789abcdef";
  static final String OTHER_TOKEN = "ffffffffffffffffffffffffffffffff";
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration TTL = Duration.ofMinutes(15);
  static final Duration MAX_LIFE = Duration.ofHours(2);
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private Fixtures() {}

  /** A prefix no other test of this JVM uses. */
  static String prefix(String name) {
    return "t-" + name + "-" + PREFIXES.incrementAndGet() + "-" + ProcessHandle.current().pid();
  }

  static AcquireArgs acquireArgs(String template, String ip) {
    return acquireArgs(Ids.newRequestId(), template, ip, TOKEN);
  }

  static AcquireArgs acquireArgs(String rid, String template, String ip, String token) {
    return new AcquireArgs(rid, template, token, ip, TTL, MAX_LIFE, 100, 0);
  }

  /** One requested record of {@code template} (min-ready high enough to allow it). */
  static String requested(Store store, String template) {
    ReserveResult r =
        store
            .sizing()
            .reserveProvision(
                new ReserveArgs(template, 1000, 1000, 1000, List.of(Ids.newInstanceId())));
    assertThat(r.created()).hasSize(1);
    return r.created().getFirst();
  }

  /** A provisioning instance with a port; returns the claim. */
  static Instance provisioning(Store store, String template) {
    String id = requested(store, template);
    ClaimResult.Claimed c = (ClaimResult.Claimed) store.claims().claimProvision(id, LEASE);
    assertThat(store.provisioning().allocatePort(id, c.fence()))
        .isInstanceOf(PortResult.Allocated.class);
    return store.instance(id).orElseThrow();
  }

  static Instance started(Store store, String template) {
    Instance p = provisioning(store, template);
    Changed c = (Changed) store.provisioning().markStarted(p.id(), p.fence(), "trynow-" + p.id());
    assertThat(c.instance().state()).isEqualTo(InstanceState.STARTED);
    return c.instance();
  }

  static Instance ready(Store store, String template) {
    Instance s = started(store, template);
    ReadyResult.Pooled r = (ReadyResult.Pooled) store.provisioning().markReady(s.id(), null);
    return r.instance();
  }

  /** An assigned instance (through the ready list) owned by {@link #TOKEN}. */
  static Instance assigned(Store store, String template) {
    ready(store, template);
    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.requests().acquire(acquireArgs(template, "10.0.0.1"));
    return a.instance();
  }
}
