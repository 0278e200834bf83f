package io.trynow.gateway.view;

import io.trynow.gateway.acquire.Acquirer;
import io.trynow.model.AcquireReply;
import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;

/** Store records and pool replies turned into what the visitor sees. */
@Singleton
public class Views {

  private final Links links;

  public Views(Links links) {
    this.links = links;
  }

  /** A demo; {@code accessToken} only in the acquire answer, else null. */
  public DemoView demo(Instance i, String accessToken) {
    boolean live = i.state() == InstanceState.ASSIGNED;
    Links.Urls urls = accessToken == null ? null : links.demo(i.id());
    return new DemoView(
        i.id(),
        i.template(),
        live ? i.url() : null,
        i.state().wire(),
        live ? i.expiresAt() : null,
        live ? i.maxExpiresAt() : null,
        live ? remaining(i.expiresAt()) : null,
        i.requestId(),
        urls == null ? null : urls.status(),
        urls == null ? null : urls.events(),
        accessToken);
  }

  /** The 201 answer built from pool-service's reply (no store read on the fast path). */
  public DemoView demo(AcquireReply r, String accessToken) {
    Instant expires = r.expiresAtMs() == null ? null : Instant.ofEpochMilli(r.expiresAtMs());
    Instant max = r.maxExpiresAtMs() == null ? null : Instant.ofEpochMilli(r.maxExpiresAtMs());
    Links.Urls urls = links.demo(r.instanceId());
    return new DemoView(
        r.instanceId(),
        r.template(),
        r.url(),
        InstanceState.ASSIGNED.wire(),
        expires,
        max,
        remaining(expires),
        r.requestId(),
        urls.status(),
        urls.events(),
        accessToken);
  }

  /** The 201 answer's demo: from the store, or from pool-service's reply. */
  public DemoView demo(Acquirer.Demo demo, String accessToken) {
    return switch (demo) {
      case Acquirer.Demo.Stored st -> demo(st.instance(), accessToken);
      case Acquirer.Demo.Replied r -> demo(r.reply(), accessToken);
    };
  }

  /** The 202 answer: queued with its place, or pending. */
  public QueuedView queued(Acquirer.Waiting w) {
    return queued(
        w.requestId(),
        w.state().wire(),
        w.template(),
        w.position(),
        w.etaSeconds(),
        w.accessToken());
  }

  public QueuedView queued(
      String requestId,
      String status,
      String template,
      Long position,
      Long etaSeconds,
      String accessToken) {
    Links.Urls urls = links.request(requestId);
    return new QueuedView(
        requestId,
        status,
        template,
        position,
        etaSeconds,
        urls.status(),
        urls.events(),
        accessToken);
  }

  public static Long remaining(Instant expiresAt) {
    if (expiresAt == null) {
      return null;
    }
    return Math.max(0, Duration.between(Instant.now(), expiresAt).toSeconds());
  }
}
