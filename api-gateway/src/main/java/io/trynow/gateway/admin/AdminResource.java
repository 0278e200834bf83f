package io.trynow.gateway.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.demo.Demos;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.gateway.rest.CircuitView;
import io.trynow.model.CleanupRequest;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AdminResult;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.Circuit;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Requests;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
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
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Operators: pool figures, instances (filtered, paged), force terminate. Dead letters: {@link
 * DeadLetterResource}.
 */
@Path("/admin")
@AdminOnly
@Tag(name = "admin")
@SecurityScheme(
    securitySchemeName = "admin",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "The admin key (its SHA-256 is trynow.gateway.admin-key-hash).")
@SecurityRequirement(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class AdminResource {

  private static final Logger LOG = Logger.getLogger(AdminResource.class);
  static final int MAX_PAGE = 500;

  private final Store store;
  private final TemplatesConfig templates;
  private final Publisher publisher;
  private final DeadLetterOps deadLetterOps;

  public AdminResource(
      Store store, TemplatesConfig templates, Publisher publisher, DeadLetterOps deadLetterOps) {
    this.store = store;
    this.templates = templates;
    this.publisher = publisher;
    this.deadLetterOps = deadLetterOps;
  }

  /**
   * One template's pool, with its targets: {@code target} is the ready target in force (min-ready,
   * or the service target's when {@code slo.*} is set) and {@code model_target} the model's value
   * before the gentle scale-down; {@code arrival_rate} (the slow EWMA, {@code slo.window}) and
   * {@code burst_rate} (the fast one, {@code slo.burst-window}) the arrivals per second observed,
   * {@code sizing_rate} the rate the target was computed with; {@code hit_rate} the share served
   * warm over the window (EWMAs in Valkey) and {@code hit_rate_total} over every arrival counted;
   * {@code refill_seconds} the refill time the target was computed with, of which {@code
   * slot_wait_seconds} the mean wait for a provisioning slot; {@code arrivals} the requests counted
   * so far; {@code failed} the provisions waiting in the dead-letter queue, queue wait and
   * provision time the p50/p95 of the demos alive now ({@link PoolFigures}).
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
      long failed,
      Double queueWaitP50Seconds,
      Double queueWaitP95Seconds,
      Double provisionP50Seconds,
      Double provisionP95Seconds,
      Integer minReady,
      Integer maxTotal,
      Integer maxInFlight,
      Integer maxQueue,
      int target,
      Double sloHitRate,
      int modelTarget,
      double arrivalRate,
      double burstRate,
      double sizingRate,
      double hitRate,
      double hitRateTotal,
      double refillSeconds,
      double slotWaitSeconds,
      long arrivals,
      boolean degraded,
      CircuitView circuit,
      String hook,
      ClaimFailuresView claimFailures) {}

  /**
   * Instances discarded by a failed claim check (a probe before the claim, or the on-claim hook
   * failing or timing out), counted in Valkey across every pool replica, with the last reason.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ClaimFailuresView(long discarded, String lastError, Instant lastAt) {}

  /** A page of instances; {@code next_cursor} goes into {@code cursor} for the next page. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record InstancePage(List<InstanceView> items, boolean hasMore, String nextCursor) {}

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

  @GET
  @Path("pools")
  @Operation(
      summary = "Pool figures per template",
      description =
          "Counts by state, waiting visitors, failed provisions (dead letters of"
              + " trynow.provision.<template>), hit rate, queue wait and provision time of the"
              + " demos alive now.")
  public List<PoolView> pools() {
    Map<String, PoolView> out = new TreeMap<>();
    List<String> names = new ArrayList<>(templates.templates().keySet());
    for (String t : store.templates()) {
      if (!names.contains(t)) {
        names.add(t);
      }
    }
    Map<String, PoolFigures.Figures> figures = PoolFigures.compute(store);
    Map<String, Long> dead = deadLetterOps.depthBySubject();
    for (String t : names) {
      PoolStats s = store.poolStats(t);
      PoolDemand d = store.sizing().poolDemand(t);
      TemplatesConfig.Template c = templates.templates().get(t);
      int minReady = c == null ? 0 : c.minReady();
      PoolFigures.Figures f =
          figures.getOrDefault(t, new PoolFigures.Figures(null, null, null, null));
      Circuit circuit = store.provisioning().circuit(t);
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
              dead.getOrDefault(Subjects.provision(t), 0L),
              f.queueWaitP50(),
              f.queueWaitP95(),
              f.provisionP50(),
              f.provisionP95(),
              c == null ? null : c.minReady(),
              c == null ? null : c.maxTotal(),
              c == null ? null : c.maxInFlight(),
              c == null ? null : c.maxQueue(),
              Math.max(minReady, d.target()),
              c == null || c.slo().hitRate().isEmpty() ? null : c.slo().hitRate().getAsDouble(),
              Math.max(minReady, d.rawTarget()),
              d.ratePerSecond(),
              d.burstRatePerSecond(),
              d.sizingRatePerSecond(),
              d.hitRate(),
              d.hitRateTotal(),
              d.refillMs() / 1000.0,
              d.slotWaitMs() / 1000.0,
              d.arrivals(),
              circuit.degraded(),
              CircuitView.of(circuit, Instant.now()),
              c == null ? null : c.hook().type(),
              claimFailures(t)));
    }
    return List.copyOf(out.values());
  }

  private ClaimFailuresView claimFailures(String template) {
    Requests.ClaimFailures f = store.requests().claimFailures(template);
    return new ClaimFailuresView(f.discarded(), f.lastError(), f.lastAt());
  }

  @GET
  @Path("instances")
  @Operation(
      summary = "Live instances, filtered and paged",
      description =
          "state: one live state (default: all); template; older_than: minimum age (90s, 30m,"
              + " 1h, 2d); limit (1..500, default 100); cursor: next_cursor of the previous page."
              + " Oldest first.")
  public InstancePage instances(
      @QueryParam("state") String state,
      @QueryParam("template") String template,
      @QueryParam("older_than") String olderThan,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") String limit) {
    List<InstanceState> states = new ArrayList<>();
    if (state == null || state.isBlank()) {
      for (InstanceState s : InstanceState.values()) {
        if (s.isLive()) {
          states.add(s);
        }
      }
    } else {
      InstanceState s;
      try {
        s = InstanceState.fromWire(state.strip().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Refusal.badRequest(
            "state must be one of requested, provisioning, started, ready, assigned, terminating");
      }
      if (!s.isLive()) {
        throw Refusal.badRequest("only live states are indexed");
      }
      states.add(s);
    }
    if (template != null && !template.isBlank() && !io.trynow.model.Ids.isTemplate(template)) {
      throw Refusal.badRequest("template must be a template name");
    }
    Instant now = Instant.now();
    Instant bornBefore =
        olderThan == null || olderThan.isBlank()
            ? null
            : DeadLetterFilter.parse(null, null, olderThan, now).since();
    int l = (int) Math.min(MAX_PAGE, number(limit, 100, "limit"));
    if (l < 1) {
      throw Refusal.badRequest("limit must be at least 1");
    }
    long offset = number(cursor, 0, "cursor");
    List<Instance> all = new ArrayList<>();
    for (InstanceState s : states) {
      for (Instance i : store.instances(s)) {
        if ((template == null || template.isBlank() || template.equals(i.template()))
            && (bornBefore == null
                || (i.createdAt() != null && !i.createdAt().isAfter(bornBefore)))) {
          all.add(i);
        }
      }
    }
    all.sort(
        java.util.Comparator.comparing(
                Instance::createdAt,
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(Instance::id));
    int from = (int) Math.min(offset, all.size());
    int to = Math.min(all.size(), from + l);
    boolean more = to < all.size();
    return new InstancePage(
        all.subList(from, to).stream().map(InstanceView::of).toList(),
        more,
        more ? String.valueOf(to) : null);
  }

  @GET
  @Path("instances/{id}")
  @Operation(summary = "One instance record (live or tombstone)")
  public InstanceView instance(@PathParam("id") String id) {
    Demos.requireInstanceId(id);
    return store
        .instance(id)
        .map(InstanceView::of)
        .orElseThrow(() -> Refusal.notFound("no such instance"));
  }

  @POST
  @Path("instances/{id}/terminate")
  @Operation(summary = "Force-terminate an instance (any live state)")
  public Response terminate(@PathParam("id") String id) {
    Demos.requireInstanceId(id);
    AdminResult r = store.lifecycle().forceTerminate(id, "terminated by an operator");
    Instance i =
        switch (r) {
          case Changed c -> c.instance();
          case NotFound n -> throw Refusal.notFound("no such instance");
          case WrongState w ->
              throw Refusal.of(Refusal.Reason.WRONG_STATE, "the instance is " + w.state().wire());
        };
    if (i.state() == InstanceState.TERMINATING) {
      try {
        publisher.publish(new CleanupRequest(id, "forced", i.requestId()));
      } catch (MessagingException e) {
        LOG.warnf("cleanup request for %s not published: %s", id, e.getMessage());
        throw Refusal.unavailable("terminate recorded; teardown not yet queued, retry", 1);
      }
    }
    return Response.status(202).entity(InstanceView.of(i)).build();
  }

  static long number(String s, long dflt, String name) {
    if (s == null || s.isEmpty()) {
      return dflt;
    }
    if (!s.matches("\\d{1,18}")) {
      throw Refusal.badRequest(name + " must be a non-negative number");
    }
    return Long.parseLong(s);
  }
}
