package io.trynow.gateway.rest;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.auth.Access;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.events.EventsEndpoint;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.gateway.view.DemoView;
import io.trynow.gateway.view.Views;
import io.trynow.model.Ids;
import io.trynow.platform.state.BadToken;
import io.trynow.platform.state.CancelResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Where an acquire request stands. */
@Path("/v1/requests")
@Tag(name = "requests")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class RequestsResource {

  private final Store store;
  private final Access access;
  private final Views views;
  private final EventsEndpoint events;

  private final Demos demos;

  public RequestsResource(
      Store store, Access access, Views views, EventsEndpoint events, Demos demos) {
    this.store = store;
    this.access = access;
    this.views = views;
    this.events = events;
    this.demos = demos;
  }

  @GET
  @Path("{id}")
  @Operation(
      summary = "A request's state",
      description =
          "pending (not yet seen by the pool), queued (with position), assigned (with the demo),"
              + " failed or expired. Needs the access token or the ticket of status_url.")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = RequestView.class)))
  public RequestView get(
      @PathParam("id") String id,
      @HeaderParam("Authorization") String authorization,
      @QueryParam("ticket") String ticket) {
    if (!Ids.isRequest(id)) {
      throw Refusal.badId("request id");
    }
    RequestRecord r = store.request(id).orElse(null);
    if (r == null) {
      // Not yet handled by the pool (or long gone): only a valid ticket learns "pending".
      if (access.ticketValid(ticket, id)) {
        return new RequestView(id, "pending", null, null, null, null, null);
      }
      throw Refusal.notFound("no such request");
    }
    access.requireReader(r.ownerTokenHash(), authorization, ticket, id);
    if (r.checking()) {
      // assigned, but its claim check (on-claim hook) has not passed: not shown until it has
      return new RequestView(id, "pending", r.template(), null, null, r.createdAt(), null);
    }
    DemoView demo = null;
    if (r.instanceId() != null) {
      Instance i = store.instance(r.instanceId()).orElse(null);
      if (i != null && i.requestId() != null && i.requestId().equals(id)) {
        demo = views.demo(i, null);
      }
    }
    return new RequestView(
        id,
        r.state().wire(),
        r.template(),
        r.position() > 0 ? r.position() : null,
        null,
        r.createdAt(),
        demo);
  }

  @DELETE
  @Path("{id}")
  @Operation(
      summary = "Leave the queue",
      description =
          "The waiting room's Cancel: a queued request leaves the queue (status expired) and the"
              + " requests behind it move up. If a demo was handed to it meanwhile, that demo is"
              + " released. Needs the access token.")
  @APIResponse(
      responseCode = "202",
      content = @Content(schema = @Schema(implementation = RequestView.class)))
  public Response cancel(
      @PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
    if (!Ids.isRequest(id)) {
      throw Refusal.badId("request id");
    }
    String token = Access.requireBearer(authorization);
    CancelResult r = store.requests().cancelRequest(id, AccessTokens.hash(token));
    RequestView view =
        switch (r) {
          case CancelResult.Cancelled c ->
              new RequestView(
                  id, c.request().state().wire(), c.request().template(), null, null, null, null);
          case CancelResult.HoldsDemo h -> {
            DemoView demo = views.demo(demos.release(h.instanceId(), token), null);
            yield new RequestView(id, "assigned", demo.template(), null, null, null, demo);
          }
          case NotFound n -> throw Refusal.notFound("no such request");
          case BadToken b -> throw Refusal.forbidden("this token is not valid for this request");
        };
    return Response.status(202).entity(view).build();
  }

  @GET
  @Path("{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "A request's events (Server-Sent Events)",
      description =
          "queued, position (with ETA), then assigned and the demo's own events, or expired;"
              + " resume with Last-Event-ID. Needs the access token or the ticket of events_url.")
  public void events(
      @PathParam("id") String id,
      @HeaderParam("Authorization") String authorization,
      @QueryParam("ticket") String ticket,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @Context SseEventSink sink,
      @Context Sse sse,
      RoutingContext ctx) {
    events.requestEvents(id, authorization, ticket, lastEventId, sink, sse, ctx);
  }
}
