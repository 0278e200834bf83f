package io.trynow.gateway.rest;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.auth.Access;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.events.EventsEndpoint;
import io.trynow.gateway.http.Problem;
import io.trynow.gateway.http.Problems;
import io.trynow.gateway.view.DemoView;
import io.trynow.gateway.view.QueuedView;
import io.trynow.gateway.view.Views;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The visitor's demos: acquire, read, extend, release. The acquire runs on the event loop that
 * received it and waits for nothing ({@link io.trynow.gateway.acquire.Acquirer#acquireAsync}),
 * mostly served by {@link AcquireRoute} before Quarkus REST sees it; the others block on a virtual
 * thread each.
 */
@Path("/v1/demos")
@Tag(name = "demos")
@Produces(MediaType.APPLICATION_JSON)
public class DemosResource {

  private final AcquireRoute route;
  private final Demos demos;
  private final EventsEndpoint events;
  private final Views views;

  public DemosResource(AcquireRoute route, Demos demos, EventsEndpoint events, Views views) {
    this.route = route;
    this.demos = demos;
    this.events = events;
    this.views = views;
  }

  /**
   * Served by {@link AcquireRoute} ahead of Quarkus REST when the request is a plain JSON one (its
   * declared length, an {@code Accept} that JSON satisfies); Quarkus REST brings here only the
   * others (another media type: 415; an {@code Accept} to negotiate: maybe 406; a chunked body),
   * and this method describes the endpoint in the OpenAPI document. The same acquire either way:
   * {@link AcquireRoute#acquire}.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Ask for a demo",
      description =
          "201 with a ready demo when the pool has one; 202 queued (position, ETA) or pending when"
              + " not (pending: follow status_url, the request may still be served). The access_token is returned once. A retry with the same Idempotency-Key"
              + " returns the same request and demo.")
  @APIResponse(
      responseCode = "201",
      description = "assigned",
      content = @Content(schema = @Schema(implementation = DemoView.class)))
  @APIResponse(
      responseCode = "202",
      description = "queued or pending",
      content = @Content(schema = @Schema(implementation = QueuedView.class)))
  @APIResponse(responseCode = "400", description = "bad body or unknown template")
  @APIResponse(responseCode = "401", description = "an API key is required")
  @APIResponse(
      responseCode = "429",
      description =
          "rate limited or too many live demos (Retry-After, RateLimit-Policy, RateLimit)",
      content =
          @Content(
              mediaType = Problems.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "503",
      description =
          "capacity and queue full, template unavailable, or not started (Retry-After); nothing"
              + " will be served for this request")
  @NonBlocking
  public CompletionStage<Response> acquire(
      AcquireBody body,
      @Parameter(description = "makes a retry return the same request (16-128 characters)")
          @HeaderParam("Idempotency-Key")
          String idempotencyKey,
      @Parameter(description = "required when the gateway has API keys configured")
          @HeaderParam("X-Api-Key")
          String apiKey,
      RoutingContext ctx) {
    CompletableFuture<Response> response = new CompletableFuture<>();
    route
        .acquire(body, idempotencyKey, apiKey, ctx)
        .whenComplete((answer, failure) -> {
          if (failure != null) {
            response.completeExceptionally(failure); // to its exception mapper
          } else {
            response.complete(AcquireRoute.response(answer));
          }
        });
    return response;
  }

  @GET
  @Path("{id}")
  @Operation(
      summary = "A demo's state",
      description = "Needs the access token (Authorization: Bearer) or the ticket of status_url.")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = DemoView.class)))
  @RunOnVirtualThread
  public DemoView get(
      @PathParam("id") String id,
      @Parameter(in = ParameterIn.HEADER, name = "Authorization") @HeaderParam("Authorization")
          String authorization,
      @Parameter(description = "signed ticket from status_url") @QueryParam("ticket")
          String ticket) {
    return views.demo(demos.read(id, authorization, ticket), null);
  }

  @POST
  @Path("{id}/extend")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Extend a demo",
      description = "Adds minutes (default: one extend step) up to the max lifetime; 409 past it.")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = DemoView.class)))
  @APIResponse(responseCode = "409", description = "already at the max lifetime, or not assigned")
  @RunOnVirtualThread
  public DemoView extend(
      @PathParam("id") String id,
      @HeaderParam("Authorization") String authorization,
      @HeaderParam("Content-Type") String contentType,
      byte[] rawBody) {
    ExtendBody body = ExtendBodies.parse(contentType, rawBody);
    return views.demo(
        demos.extend(id, Access.requireBearer(authorization), body == null ? null : body.minutes()),
        null);
  }

  @DELETE
  @Path("{id}")
  @Operation(summary = "Release a demo", description = "202: it is torn down within seconds.")
  @APIResponse(responseCode = "202")
  @RunOnVirtualThread
  public Response release(
      @PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
    DemoView v = views.demo(demos.release(id, Access.requireBearer(authorization)), null);
    return Response.status(202).entity(v).build();
  }

  @GET
  @Path("{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "A demo's events (Server-Sent Events)",
      description =
          "state changes, an expiring warning, heartbeats; resume with Last-Event-ID; closed after"
              + " a maximum duration. Needs the access token or the ticket of events_url.")
  @RunOnVirtualThread
  public void events(
      @PathParam("id") String id,
      @HeaderParam("Authorization") String authorization,
      @QueryParam("ticket") String ticket,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @Context SseEventSink sink,
      @Context Sse sse,
      RoutingContext ctx) {
    events.demoEvents(id, authorization, ticket, lastEventId, sink, sse, ctx);
  }
}
