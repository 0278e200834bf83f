package io.trynow.gateway.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.rest.ApiException;
import io.trynow.gateway.rest.CircuitView;
import io.trynow.model.CleanupRequest;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AdminResult;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.Circuit;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** Operators: pool figures, instances by state, force terminate, dead letters. */
@Path("/admin")
@AdminOnly
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class AdminResource {

  private static final Logger LOG = Logger.getLogger(AdminResource.class);
  private static final int MAX_PAGE = 500;

  private final Store store;
  private final TemplatesConfig templates;
  private final Publisher publisher;
  private final DeadLetters deadLetters;

  public AdminResource(
      Store store, TemplatesConfig templates, Publisher publisher, DeadLetters deadLetters) {
    this.store = store;
    this.templates = templates;
    this.publisher = publisher;
    this.deadLetters = deadLetters;
  }

  /**
   * One template's pool, with its targets: {@code target} is the ready target in force (min-ready,
   * or the service target's when {@code slo.*} is set), {@code arrival_rate} the arrivals per
   * second and {@code hit_rate} the share served warm (EWMAs in Valkey), {@code refill_seconds} the
   * refill time the target was computed with, {@code arrivals} the requests counted so far.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PoolView(
      String template,
      long requested,
      long provisioning,
      long started,
      long ready,
      long assigned,
      long terminating,
      long waiting,
      Integer minReady,
      Integer maxTotal,
      Integer maxInFlight,
      Integer maxQueue,
      int target,
      Double sloHitRate,
      double arrivalRate,
      double hitRate,
      double refillSeconds,
      long arrivals,
      boolean degraded,
      CircuitView circuit) {}

  /** An instance as operators see it (never the owner's token hash). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record InstanceView(
      String id,
      String template,
      String state,
      long version,
      int port,
      String url,
      String requestId,
      String clientIp,
      Instant createdAt,
      Instant readyAt,
      Instant assignedAt,
      Instant expiresAt,
      Instant maxExpiresAt,
      String lastError) {
    static InstanceView of(Instance i) {
      return new InstanceView(
          i.id(),
          i.template(),
          i.state().wire(),
          i.version(),
          i.port(),
          i.url(),
          i.requestId(),
          i.clientIp(),
          i.createdAt(),
          i.readyAt(),
          i.assignedAt(),
          i.expiresAt(),
          i.maxExpiresAt(),
          i.lastError());
    }
  }

  /** Body of a bulk replay. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ReplayBody(List<Long> sequences) {}

  @GET
  @Path("pools")
  @Operation(summary = "Pool figures per template")
  @SecurityRequirement(name = "admin")
  public List<PoolView> pools() {
    Map<String, PoolView> out = new TreeMap<>();
    List<String> names = new ArrayList<>(templates.templates().keySet());
    for (String t : store.templates()) {
      if (!names.contains(t)) {
        names.add(t);
      }
    }
    for (String t : names) {
      PoolStats s = store.poolStats(t);
      PoolDemand d = store.poolDemand(t);
      TemplatesConfig.Template c = templates.templates().get(t);
      int minReady = c == null ? 0 : c.minReady();
      Circuit circuit = store.circuit(t);
      out.put(
          t,
          new PoolView(
              t,
              s.requested(),
              s.provisioning(),
              s.started(),
              s.ready(),
              s.assigned(),
              s.terminating(),
              s.waiting(),
              c == null ? null : c.minReady(),
              c == null ? null : c.maxTotal(),
              c == null ? null : c.maxInFlight(),
              c == null ? null : c.maxQueue(),
              Math.max(minReady, d.target()),
              c == null || c.slo().hitRate().isEmpty() ? null : c.slo().hitRate().getAsDouble(),
              d.ratePerSecond(),
              d.hitRate(),
              d.refillMs() / 1000.0,
              d.arrivals(),
              circuit.degraded(),
              CircuitView.of(circuit, Instant.now())));
    }
    return List.copyOf(out.values());
  }

  @GET
  @Path("instances")
  @Operation(summary = "Live instances in one state (requested ... terminating)")
  public List<InstanceView> instances(@QueryParam("state") String state) {
    InstanceState s;
    try {
      s = InstanceState.fromWire(state == null ? "" : state.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "state must be one of requested, provisioning, started, ready, assigned, terminating");
    }
    if (!s.isLive()) {
      throw ApiException.badRequest("only live states are indexed");
    }
    return store.instances(s).stream().map(InstanceView::of).toList();
  }

  @GET
  @Path("instances/{id}")
  @Operation(summary = "One instance record (live or tombstone)")
  public InstanceView instance(@PathParam("id") String id) {
    Demos.requireInstanceId(id);
    return store
        .instance(id)
        .map(InstanceView::of)
        .orElseThrow(() -> ApiException.notFound("no such instance"));
  }

  @POST
  @Path("instances/{id}/terminate")
  @Operation(summary = "Force-terminate an instance (any live state)")
  public Response terminate(@PathParam("id") String id) {
    Demos.requireInstanceId(id);
    AdminResult r = store.forceTerminate(id, "terminated by an operator");
    Instance i =
        switch (r) {
          case Changed c -> c.instance();
          case NotFound n -> throw ApiException.notFound("no such instance");
          case WrongState w ->
              throw ApiException.conflict("wrong_state", "the instance is " + w.state().wire());
        };
    if (i.state() == InstanceState.TERMINATING) {
      try {
        publisher.publishJson(
            Subjects.cleanup(id),
            "cleanup:" + id,
            i.requestId(),
            new CleanupRequest(id, "forced", i.requestId()));
      } catch (MessagingException e) {
        LOG.warnf("cleanup request for %s not published: %s", id, e.getMessage());
        throw ApiException.unavailable("terminate recorded; teardown not yet queued, retry", 1);
      }
    }
    return Response.status(202).entity(InstanceView.of(i)).build();
  }

  @GET
  @Path("dead-letters")
  @Operation(summary = "Dead letters, oldest first, paged by sequence")
  public DeadLetterViews.Page deadLetters(
      @QueryParam("after") String after, @QueryParam("limit") String limit) {
    long a = number(after, 0, "after");
    int l = (int) Math.min(MAX_PAGE, number(limit, 50, "limit"));
    if (l < 1) {
      throw ApiException.badRequest("limit must be at least 1");
    }
    return DeadLetterViews.of(deadLetters.list(a, l));
  }

  @GET
  @Path("dead-letters/{seq}")
  @Operation(summary = "One dead letter with its headers and payload")
  public DeadLetterViews.Item deadLetter(@PathParam("seq") String seq) {
    return deadLetters
        .show(sequence(seq))
        .map(DeadLetterViews::of)
        .orElseThrow(() -> ApiException.notFound("no such dead letter"));
  }

  @POST
  @Path("dead-letters/{seq}/replay")
  @Operation(summary = "Replay one dead letter to its original subject, then delete it")
  public DeadLetterViews.Replayed replay(@PathParam("seq") String seq) {
    long n = sequence(seq);
    return deadLetters
        .replay(n)
        .map(r -> DeadLetterViews.of(n, r))
        .orElseThrow(() -> ApiException.notFound("no such dead letter"));
  }

  @POST
  @Path("dead-letters/replay")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Replay many dead letters")
  public List<DeadLetterViews.Replayed> replayMany(ReplayBody body) {
    if (body == null || body.sequences() == null || body.sequences().isEmpty()) {
      throw ApiException.badRequest("sequences must list at least one sequence");
    }
    if (body.sequences().size() > MAX_PAGE) {
      throw ApiException.badRequest("at most " + MAX_PAGE + " sequences per call");
    }
    for (Long s : body.sequences()) {
      if (s == null || s < 1) {
        throw ApiException.badRequest("sequences must be positive numbers");
      }
    }
    return deadLetters.replayAll(body.sequences()).stream().map(DeadLetterViews::of).toList();
  }

  @DELETE
  @Path("dead-letters/{seq}")
  @Operation(summary = "Delete a dead letter")
  public Response deleteDeadLetter(@PathParam("seq") String seq) {
    if (!deadLetters.delete(sequence(seq))) {
      throw ApiException.notFound("no such dead letter");
    }
    return Response.noContent().build();
  }

  private static long sequence(String s) {
    long n = number(s, -1, "sequence");
    if (n < 1) {
      throw ApiException.badRequest("sequence must be a positive number");
    }
    return n;
  }

  private static long number(String s, long dflt, String name) {
    if (s == null || s.isEmpty()) {
      return dflt;
    }
    if (!s.matches("\\d{1,18}")) {
      throw ApiException.badRequest(name + " must be a non-negative number");
    }
    return Long.parseLong(s);
  }
}
