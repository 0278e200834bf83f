package io.trynow.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.trynow.gateway.GatewayMetrics;
import io.trynow.gateway.acquire.Acquirer;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.http.HttpEdge;
import io.trynow.gateway.http.RequestIds;
import io.trynow.gateway.outcome.RateLimits;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.gateway.view.DemoView;
import io.trynow.gateway.view.Views;
import io.trynow.gateway.web.Cors;
import io.trynow.platform.template.TemplatesConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/demos} served from a plain Vert.x route, ahead of Quarkus REST (issue #15, sparse
 * traffic): a well-formed acquire (a JSON body of declared length, an {@code Accept} that JSON
 * satisfies) is read, parsed, decided and answered here, so the request skips Quarkus REST's
 * dispatch (~1.5 ms p50 at 2 requests/s) and response machinery (~1.7 ms). Anything else (another
 * media type, a chunked body, content negotiation) goes on to {@link DemosResource#acquire}, which
 * Quarkus REST serves as before and which the OpenAPI document describes. Both run {@link
 * #acquire}: the same checks in the same order, the same request id, metrics, stage timers,
 * problems ({@link ErrorMappers#of}), headers and body.
 */
@Singleton
public class AcquireRoute {

  static final String PATH = "/v1/demos";

  /**
   * After the CORS filter (-1100), the edge (-1000: request id, declared body size) and the
   * management guard (-999); before Quarkus REST's route.
   */
  static final int ORDER = -900;

  /** What Quarkus REST writes for {@code @Produces(APPLICATION_JSON)}. */
  static final String JSON = "application/json;charset=UTF-8";

  /**
   * {@code Location} as a relative reference (RFC 9110 §10.2.2), written as is: JAX-RS' {@code
   * location(URI)} makes it absolute from the request (forwarded headers, URI parsing) on every
   * acquire, and behind a proxy the relative one is the one that is right.
   */
  private static final String LOCATION = "Location";

  /** Where Vert.x puts a request's arrival ({@code System.nanoTime()}), when configured to. */
  static final String REQUEST_START_TIME = "io.quarkus.request-start-time";

  private static final String RETURNED = "trynow.acquire-returned";

  private final Acquirer acquirer;
  private final GatewaySettings settings;
  private final HttpEdge edge;
  private final GatewayMetrics metrics;
  private final TemplatesConfig templates;
  private final Cors cors;
  private final Views views;
  private final ObjectMapper mapper;
  private final ObjectReader bodyReader;
  private final WarmUpPass warmUpPass;

  public AcquireRoute(
      Acquirer acquirer,
      GatewaySettings settings,
      HttpEdge edge,
      GatewayMetrics metrics,
      TemplatesConfig templates,
      Cors cors,
      Views views,
      ObjectMapper mapper,
      WarmUpPass warmUpPass) {
    this.acquirer = acquirer;
    this.settings = settings;
    this.edge = edge;
    this.metrics = metrics;
    this.templates = templates;
    this.cors = cors;
    this.views = views;
    this.mapper = mapper;
    this.bodyReader = mapper.readerFor(AcquireBody.class);
    this.warmUpPass = warmUpPass;
  }

  void install(@Observes Router router) {
    router.post(PATH).order(ORDER).handler(this::handle);
  }

  /** The parts of a 201 or 202 answer. */
  record Answer(int status, String location, Object entity, RateLimits rateLimits) {}

  private void handle(RoutingContext ctx) {
    var request = ctx.request();
    if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
        || !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))
        || !acceptsJson(request.headers().getAll(HttpHeaders.ACCEPT))) {
      ctx.next(); // Quarkus REST: 415, 406, a chunked body (its size limit), charsets
      return;
    }
    Context loop = Vertx.currentContext();
    // the startup warm-up's rehearsal of a warm hit (WarmUpPass): the same path, nothing claimed
    boolean rehearsal = warmUpPass.admits(request.getHeader(WarmUpPass.HEADER));
    request
        .body()
        .onComplete(read -> {
          if (read.succeeded()) {
            serve(ctx, loop, read.result(), rehearsal);
          } else {
            ctx.fail(read.cause()); // the connection went away
          }
        });
    request.resume();
  }

  private void serve(RoutingContext ctx, Context loop, Buffer raw, boolean rehearsal) {
    AcquireBody body;
    try {
      // as Quarkus REST's Jackson reader: an empty body is none, "null" too
      body = raw.length() == 0 ? null : bodyReader.readValue(raw.getBytes());
    } catch (IOException e) { // a JsonProcessingException (malformed, unknown field) is one
      fail(ctx, e);
      return;
    }
    CompletableFuture<Answer> answer;
    try {
      answer =
          acquire(
              body,
              ctx.request().getHeader("Idempotency-Key"),
              ctx.request().getHeader("X-Api-Key"),
              ctx,
              rehearsal);
    } catch (RuntimeException e) {
      fail(ctx, e);
      return;
    }
    answer.whenComplete((a, failure) -> {
      // written by the request's event loop, as Quarkus REST resumes there (a miss's answer is
      // built where pool-service's reply lands, the NATS dispatcher)
      if (loop == null || Vertx.currentContext() == loop) {
        write(ctx, a, failure);
      } else {
        loop.runOnContext(v -> write(ctx, a, failure));
      }
    });
  }

  private void write(RoutingContext ctx, Answer a, Throwable failure) {
    if (failure != null) {
      fail(ctx, failure);
      return;
    }
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(a.entity());
    } catch (JsonProcessingException | RuntimeException e) {
      fail(ctx, e);
      return;
    }
    HttpServerResponse res = ctx.response();
    var headers = res.headers();
    res.setStatusCode(a.status());
    headers.set(HttpHeaders.CONTENT_TYPE, JSON);
    headers.set(LOCATION, a.location());
    RateLimitFields.add(headers::set, a.rateLimits());
    headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
    res.end(Buffer.buffer(json));
  }

  /** A failure as its exception mapper answers it (the same problem, status and headers). */
  private static void fail(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) {
      return;
    }
    Response r = ErrorMappers.of(Acquirer.unwrap(failure), ctx);
    HttpServerResponse res = ctx.response();
    res.setStatusCode(r.getStatus());
    r.getStringHeaders().forEach((name, values) -> res.headers().add(name, values));
    Object entity = r.getEntity();
    res.end(entity == null ? "" : entity.toString());
  }

  /** {@code application/json}, with no parameter but {@code charset=utf-8}. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.strip().toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    if (semi < 0) {
      return t.equals("application/json");
    }
    String params = t.substring(semi + 1).replace(" ", "");
    return t.substring(0, semi).strip().equals("application/json")
        && (params.equals("charset=utf-8") || params.equals("charset=\"utf-8\""));
  }

  /** No {@code Accept}, or one plain range that JSON satisfies. */
  static boolean acceptsJson(List<String> accept) {
    if (accept.isEmpty()) {
      return true;
    }
    if (accept.size() > 1) {
      return false;
    }
    String a = accept.get(0).strip().toLowerCase(Locale.ROOT);
    return a.equals("*/*") || a.equals("application/json") || a.equals("application/*");
  }

  /**
   * The acquire itself, for this route and for {@link DemosResource#acquire}: the API key, the
   * body, the template's allowed origins, the request id, then {@link Acquirer#acquireAsync} on
   * this event loop, a warm hit's events published once the response has been written. Bad input
   * and a refusal found at once are thrown; the future fails with the refusal (or the store's or
   * messaging's failure) itself, not a wrapper.
   */
  CompletableFuture<Answer> acquire(
      AcquireBody body, String idempotencyKey, String apiKey, RoutingContext ctx) {
    return acquire(body, idempotencyKey, apiKey, ctx, false);
  }

  /**
   * {@link #acquire(AcquireBody, String, String, RoutingContext)}, or with {@code rehearsal} the
   * warm-up's rehearsal of a warm hit ({@link WarmUpPass}, {@link Acquirer#acquireAsync(String,
   * java.util.Map, Acquirer.Caller, Acquirer.Ticket, java.util.concurrent.Executor, boolean)}): the
   * same steps and answer, without the acquire counter and the stage timers.
   */
  CompletableFuture<Answer> acquire(
      AcquireBody body,
      String idempotencyKey,
      String apiKey,
      RoutingContext ctx,
      boolean rehearsal) {
    if (!rehearsal) {
      timeStages(ctx);
    }
    boolean keyRequired = settings.apiKeyRequired() || cors.hasPublishableKeys();
    // a rehearsal holds the warm-up's pass instead of a key (its answer is a stand-in: WarmUpPass)
    if (keyRequired
        && !rehearsal
        && !settings.isApiKey(apiKey)
        && !cors.isPublishableKeyFor(apiKey, ctx)) {
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
    CompletableFuture<Answer> out = new CompletableFuture<>();
    CompletableFuture<Acquirer.Result> result;
    try {
      // a warm hit's events are published once the response is written (not beside it)
      result =
          acquirer.acquireAsync(
              body.template(),
              body.fields(),
              caller,
              ticket,
              followUp -> ctx.addEndHandler(ended -> followUp.run()),
              rehearsal);
    } catch (Refusal e) {
      if (!rehearsal) {
        refused(body.template(), e, start);
      }
      throw e;
    }
    result.whenComplete((r, failure) -> {
      if (failure != null) {
        Throwable cause = Acquirer.unwrap(failure);
        if (cause instanceof Refusal e && !rehearsal) {
          refused(body.template(), e, start);
        }
        out.completeExceptionally(cause);
        return;
      }
      try {
        out.complete(answer(body.template(), r, start, ctx, rehearsal));
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  /** Only configured template names become a metric tag. */
  private String templateTag(String template) {
    return template != null && templates.templates().containsKey(template) ? template : "unknown";
  }

  private void refused(String template, Refusal e, long start) {
    metrics.acquire(
        templateTag(template),
        e.reason().name().toLowerCase(Locale.ROOT),
        System.nanoTime() - start);
  }

  private Answer answer(
      String template, Acquirer.Result result, long start, RoutingContext ctx, boolean rehearsal) {
    RequestIds.set(ctx, result.requestId()); // the attempt's id (a retry after a 503: a new one)
    if (!rehearsal) {
      metrics.acquire(
          template,
          switch (result) {
            case Acquirer.Assigned a -> "assigned";
            case Acquirer.Waiting w -> w.state().wire();
          },
          System.nanoTime() - start);
    }
    Answer answer =
        switch (result) {
          case Acquirer.Assigned a -> {
            DemoView demo = views.demo(a.demo(), a.accessToken());
            yield new Answer(201, "/v1/demos/" + demo.id(), demo, result.rateLimits());
          }
          case Acquirer.Waiting w ->
              new Answer(
                  202, "/v1/requests/" + w.requestId(), views.queued(w), result.rateLimits());
        };
    ctx.put(RETURNED, System.nanoTime());
    return answer;
  }

  /** The answer as Quarkus REST writes it ({@link DemosResource#acquire}). */
  static Response response(Answer a) {
    Response.ResponseBuilder rb =
        Response.status(a.status()).header(LOCATION, a.location()).entity(a.entity());
    RateLimitFields.add(rb::header, a.rateLimits());
    return rb.header("Cache-Control", "no-store").build();
  }

  /**
   * Records the acquire's {@code dispatch} stage now (received on the event loop → the body parsed
   * and the acquire begun), and {@code respond} / {@code total} when its response has ended (the
   * received time is Vert.x's, {@code quarkus.http.record-request-start-time}).
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
}
