package io.trynow.gateway.rest;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.GatewayMetrics;
import io.trynow.gateway.acquire.Acquirer;
import io.trynow.gateway.auth.Access;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.events.EventsEndpoint;
import io.trynow.gateway.http.HttpEdge;
import io.trynow.gateway.http.Problem;
import io.trynow.gateway.http.Problems;
import io.trynow.gateway.http.RequestIds;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.gateway.view.DemoView;
import io.trynow.gateway.view.QueuedView;
import io.trynow.gateway.view.Views;
import io.trynow.gateway.web.Cors;
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
 * received it and waits for nothing ({@link Acquirer#acquireAsync}); the others block on a virtual
 * thread each.
 */
@Path("/v1/demos")
@Tag(name = "demos")
@Produces(MediaType.APPLICATION_JSON)
public class DemosResource {

  private final Acquirer acquirer;
  private final Demos demos;
  private final GatewaySettings settings;
  private final HttpEdge edge;
  private final EventsEndpoint events;
  private final GatewayMetrics metrics;
  private final io.trynow.platform.template.TemplatesConfig templates;
  private final Cors cors;
  private final Views views;

  public DemosResource(
      Acquirer acquirer,
      Demos demos,
      GatewaySettings settings,
      HttpEdge edge,
      EventsEndpoint events,
      GatewayMetrics metrics,
      io.trynow.platform.template.TemplatesConfig templates,
      Cors cors,
      Views views) {
    this.acquirer = acquirer;
    this.demos = demos;
    this.settings = settings;
    this.edge = edge;
    this.events = events;
    this.metrics = metrics;
    this.templates = templates;
    this.cors = cors;
    this.views = views;
  }

  /** Only configured template names become a metric tag. */
  private String templateTag(String template) {
    return template != null && templates.templates().containsKey(template) ? template : "unknown";
  }

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
    timeStages(ctx);
    boolean keyRequired = settings.apiKeyRequired() || cors.hasPublishableKeys();
    if (keyRequired && !settings.isApiKey(apiKey) && !cors.isPublishableKeyFor(apiKey, ctx)) {
      throw Refusal.of(Refusal.Reason.UNAUTHORIZED, "a valid X-Api-Key header is required");
    }
    if (body == null) {
      throw Refusal.badRequest("a JSON body {\"template\": \"...\"} is required");
    }
    cors.requireTemplateOrigin(body.template(), ctx);
    Acquirer.Caller caller =
        new Acquirer.Caller(edge.clientIp(ctx), keyRequired ? apiKey : null, idempotencyKey);
    Acquirer.Ticket ticket = acquirer.ticket(caller);
    RequestIds.set(ctx, ticket.requestId());
    long start = System.nanoTime();
    CompletableFuture<Response> answer = new CompletableFuture<>();
    CompletableFuture<Acquirer.Result> result;
    try {
      // a warm hit's events are published once the response is written (not beside it)
      result =
          acquirer.acquireAsync(
              body.template(),
              body.fields(),
              caller,
              ticket,
              followUp -> ctx.addEndHandler(ended -> followUp.run()));
    } catch (Refusal e) {
      refused(body.template(), e, start);
      throw e;
    }
    result.whenComplete((r, failure) -> {
      if (failure != null) {
        // the mapper sees the Refusal (or store/messaging failure) itself, not its wrapper
        Throwable cause = Acquirer.unwrap(failure);
        if (cause instanceof Refusal e) {
          refused(body.template(), e, start);
        }
        answer.completeExceptionally(cause);
        return;
      }
      try {
        answer.complete(respond(body.template(), r, start, ctx));
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
      }
    });
    return answer;
  }

  /**
   * {@code Location} as a relative reference (RFC 9110 §10.2.2), written as is: JAX-RS' {@code
   * location(URI)} makes it absolute from the request (forwarded headers, URI parsing) on every
   * acquire, and behind a proxy the relative one is the one that is right.
   */
  private static final String LOCATION = "Location";

  private void refused(String template, Refusal e, long start) {
    metrics.acquire(
        templateTag(template),
        e.reason().name().toLowerCase(java.util.Locale.ROOT),
        System.nanoTime() - start);
  }

  private Response respond(
      String template, Acquirer.Result result, long start, RoutingContext ctx) {
    RequestIds.set(ctx, result.requestId());
    metrics.acquire(
        template,
        switch (result) {
          case Acquirer.Assigned a -> "assigned";
          case Acquirer.Waiting w -> w.state().wire();
        },
        System.nanoTime() - start);
    Response.ResponseBuilder rb =
        switch (result) {
          case Acquirer.Assigned a -> {
            DemoView demo = views.demo(a.demo(), a.accessToken());
            yield Response.status(201).header(LOCATION, "/v1/demos/" + demo.id()).entity(demo);
          }
          case Acquirer.Waiting w ->
              Response.status(202)
                  .header(LOCATION, "/v1/requests/" + w.requestId())
                  .entity(views.queued(w));
        };
    RateLimitFields.add(rb, result.rateLimits());
    Response response = rb.header("Cache-Control", "no-store").build();
    ctx.put(RETURNED, System.nanoTime());
    return response;
  }

  /**
   * Records the acquire's {@code dispatch} stage now, and {@code respond} / {@code total} when its
   * response has ended (the received time is Vert.x's, {@code
   * quarkus.http.record-request-start-time}).
   */
  private void timeStages(RoutingContext ctx) {
    long entered = System.nanoTime();
    long received = ctx.get(REQUEST_START_TIME) instanceof Long l ? l : entered;
    metrics.stage(GatewayMetrics.Stage.DISPATCH, entered - received);
    ctx.addEndHandler(ar -> {
      long returned = ctx.get(RETURNED) instanceof Long l ? l : -1;
      long now = System.nanoTime();
      if (returned > 0) {
        metrics.stage(GatewayMetrics.Stage.RESPOND, now - returned);
      }
      metrics.stage(GatewayMetrics.Stage.TOTAL, now - received);
    });
  }

  /** Where Vert.x puts a request's arrival ({@code System.nanoTime()}), when configured to. */
  static final String REQUEST_START_TIME = "io.quarkus.request-start-time";

  private static final String RETURNED = "trynow.acquire-returned";

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
