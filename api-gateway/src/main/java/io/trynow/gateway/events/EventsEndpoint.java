package io.trynow.gateway.events;

import io.trynow.gateway.auth.Access;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.http.HttpEdge;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.model.Ids;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.jboss.logging.Logger;

/**
 * Server-Sent Events of a demo or a request (the endpoints are declared on {@code DemosResource}
 * and {@code RequestsResource}: JAX-RS picks a resource class by its path first). Authorised by the
 * access token or the ticket of {@code events_url} (EventSource cannot send headers); capped per
 * client IP; resumable with {@code Last-Event-ID}; closed after the maximum duration (the browser
 * reconnects and resumes).
 */
@Singleton
public class EventsEndpoint {

  private static final Logger LOG = Logger.getLogger(EventsEndpoint.class);

  private final Store store;
  private final Access access;
  private final EventStreams streams;
  private final SseLimiter limiter;
  private final HttpEdge edge;

  public EventsEndpoint(
      Store store, Access access, EventStreams streams, SseLimiter limiter, HttpEdge edge) {
    this.store = store;
    this.access = access;
    this.streams = streams;
    this.limiter = limiter;
    this.edge = edge;
  }

  public void demoEvents(
      String id,
      String authorization,
      String ticket,
      String lastEventId,
      SseEventSink sink,
      Sse sse,
      RoutingContext ctx) {
    Demos.requireInstanceId(id);
    long last = EventStreams.lastEventId(lastEventId);
    Instance i = store.instance(id).orElseThrow(() -> Refusal.notFound("no such demo"));
    access.requireReader(i.ownerTokenHash(), authorization, ticket, id);
    run(ctx, sink, sse, out -> streams.demo(id, last, out));
  }

  public void requestEvents(
      String id,
      String authorization,
      String ticket,
      String lastEventId,
      SseEventSink sink,
      Sse sse,
      RoutingContext ctx) {
    if (!Ids.isRequest(id)) {
      throw Refusal.badId("request id");
    }
    long last = EventStreams.lastEventId(lastEventId);
    RequestRecord r = store.request(id).orElse(null);
    if (r == null) {
      // Not yet seen by the pool: the ticket holder may already watch.
      if (!access.ticketValid(ticket, id)) {
        throw Refusal.notFound("no such request");
      }
    } else {
      access.requireReader(r.ownerTokenHash(), authorization, ticket, id);
    }
    run(ctx, sink, sse, out -> streams.request(id, r, last, out));
  }

  @FunctionalInterface
  interface Body {
    void run(SseOut out) throws Exception;
  }

  private void run(RoutingContext ctx, SseEventSink sink, Sse sse, Body body) {
    SseLimiter.Slot slot = limiter.acquire(edge.clientIp(ctx));
    SseOut out = new SseOut(sink, sse);
    try (slot) {
      ctx.response().headers().set("Cache-Control", "no-store");
      ctx.response().headers().set("X-Accel-Buffering", "no");
      body.run(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Refusal e) {
      throw e;
    } catch (Exception e) {
      LOG.warnf("event stream ended by %s", e.toString());
    } finally {
      out.close();
    }
  }
}
