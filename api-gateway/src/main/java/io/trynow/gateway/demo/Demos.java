package io.trynow.gateway.demo;

import io.trynow.gateway.auth.Access;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.model.CleanupRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.BadToken;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ExtendResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.ReleaseResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Read, extend and release a demo: each one store call, checked against the owner's token. */
@Singleton
public class Demos {

  private static final Logger LOG = Logger.getLogger(Demos.class);

  private final Store store;
  private final Publisher publisher;
  private final Access access;
  private final TemplatesConfig templates;

  public Demos(Store store, Publisher publisher, Access access, TemplatesConfig templates) {
    this.store = store;
    this.publisher = publisher;
    this.access = access;
    this.templates = templates;
  }

  public static String requireInstanceId(String id) {
    if (!Ids.isInstance(id)) {
      throw Refusal.badId("demo id");
    }
    return id;
  }

  /** The demo, for its owner or the holder of its ticket. */
  public Instance read(String id, String authorization, String ticket) {
    requireInstanceId(id);
    Instance i = store.instance(id).orElseThrow(() -> Refusal.notFound("no such demo"));
    access.requireReader(i.ownerTokenHash(), authorization, ticket, id);
    return i;
  }

  /**
   * Extends by {@code minutes} (null: one extend step) up to the max lifetime.
   *
   * @return the instance as extended
   */
  public Instance extend(String id, String token, Integer minutes) {
    requireInstanceId(id);
    Instance current = store.instance(id).orElseThrow(() -> Refusal.notFound("no such demo"));
    TemplatesConfig.Template tpl = templates.templates().get(current.template());
    Duration step = tpl == null ? Duration.ofMinutes(15) : tpl.extendStep();
    long maxMinutes = Math.max(1, step.toMinutes());
    Duration by = step;
    if (minutes != null) {
      int m = minutes;
      if (m < 1 || m > maxMinutes) {
        throw Refusal.badRequest("minutes must be between 1 and " + maxMinutes);
      }
      by = Duration.ofMinutes(m);
    }
    ExtendResult r = store.lifecycle().extend(id, AccessTokens.hash(token), by);
    return switch (r) {
      case ExtendResult.Extended e -> {
        event(e.instance(), InstanceEventKind.EXTENDED);
        yield e.instance();
      }
      case ExtendResult.PastMaxLifetime p ->
          throw Refusal.of(
              Refusal.Reason.MAX_LIFETIME_REACHED,
              "this demo is already at its maximum lifetime (" + p.maxExpiresAt() + ")");
      case NotFound n -> throw Refusal.notFound("no such demo");
      case BadToken b -> throw Refusal.forbidden("this token is not valid for this demo");
      case WrongState w -> throw notAssigned(w.state());
    };
  }

  /** Release: the store moves it to terminating, then the cleanup worker is asked to tear down. */
  public Instance release(String id, String token) {
    requireInstanceId(id);
    ReleaseResult r = store.lifecycle().release(id, AccessTokens.hash(token));
    Instance i =
        switch (r) {
          case Changed c -> c.instance();
          case NotFound n -> throw Refusal.notFound("no such demo");
          case BadToken b -> throw Refusal.forbidden("this token is not valid for this demo");
          case WrongState w -> {
            // Already ending: fine for its owner (DELETE is idempotent), refused for anyone else.
            Instance now = store.instance(id).orElseThrow(() -> Refusal.notFound("no such demo"));
            if (!AccessTokens.matches(token, now.ownerTokenHash())) {
              throw Refusal.forbidden("this token is not valid for this demo");
            }
            if (w.state() != InstanceState.TERMINATING && w.state() != InstanceState.TERMINATED) {
              throw notAssigned(w.state());
            }
            yield now;
          }
        };
    if (i.state() == InstanceState.TERMINATING) {
      try {
        publisher.publish(new CleanupRequest(id, "released", i.requestId()));
      } catch (MessagingException e) {
        // The record says terminating: a retry of this DELETE publishes again (same msg id).
        LOG.warnf("cleanup request for %s not published: %s", id, e.getMessage());
        throw Refusal.unavailable("release recorded; teardown not yet queued, retry", 1);
      }
      event(i, InstanceEventKind.TERMINATING);
    }
    return i;
  }

  private void event(Instance i, InstanceEventKind kind) {
    try {
      publisher.publish(InstanceEvents.of(kind, i, null));
    } catch (MessagingException e) {
      // Events are hints: SSE watchers also re-read the store.
      LOG.warnf("event %s of %s not published: %s", kind, i.id(), e.getMessage());
    }
  }

  private static Refusal notAssigned(InstanceState state) {
    return Refusal.of(
        Refusal.Reason.NOT_ASSIGNED, "this demo is " + state.wire() + ", not assigned");
  }
}
