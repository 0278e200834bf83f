package io.trynow.gateway.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.platform.messaging.DeadLetters;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Dead letters for operators: filtered pages, groups by original subject and error, show one,
 * replay or delete one, a list, or everything matching a filter. Filters: {@code subject} (subject,
 * prefix or NATS pattern), {@code error} (text in the last error), {@code since} (90s, 30m, 1h, 2d
 * or RFC 3339).
 */
@Path("/admin/dead-letters")
@AdminOnly
@Tag(name = "admin")
@SecurityRequirement(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class DeadLetterResource {

  private final DeadLetters deadLetters;
  private final DeadLetterOps ops;

  public DeadLetterResource(DeadLetters deadLetters, DeadLetterOps ops) {
    this.deadLetters = deadLetters;
    this.ops = ops;
  }

  /** A page: {@code next_cursor} (also {@code next_after}) goes into {@code after}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Page(
      List<DeadLetterViews.Item> items, boolean hasMore, String nextCursor, long nextAfter) {}

  /**
   * What to replay or delete: either {@code sequences}, or a filter ({@code subject}, {@code
   * error}, {@code since}) for everything matching; deleting everything needs {@code all: true}.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Selection(
      List<Long> sequences, String subject, String error, String since, Boolean all) {}

  /** Outcome of a bulk replay or delete, with counts per outcome. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Outcome(
      List<DeadLetterOps.Result> results,
      long replayed,
      long skipped,
      long deleted,
      long notFound,
      long failed) {
    static Outcome of(List<DeadLetterOps.Result> r) {
      return new Outcome(
          r,
          count(r, "replayed"),
          count(r, "skipped"),
          count(r, "deleted"),
          count(r, "not_found"),
          count(r, "failed"));
    }

    private static long count(List<DeadLetterOps.Result> r, String outcome) {
      return r.stream().filter(x -> x.outcome().equals(outcome)).count();
    }
  }

  @GET
  @Operation(
      summary = "Dead letters, oldest first, filtered and paged",
      description = "Filters: subject, error, since. Paging: limit (1..500), after (a sequence).")
  public Page list(
      @QueryParam("subject") String subject,
      @QueryParam("error") String error,
      @QueryParam("since") String since,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    DeadLetterFilter f = DeadLetterFilter.parse(subject, error, since, Instant.now());
    long a = AdminResource.number(after, 0, "after");
    int l = (int) Math.min(AdminResource.MAX_PAGE, AdminResource.number(limit, 50, "limit"));
    if (l < 1) {
      throw Refusal.badRequest("limit must be at least 1");
    }
    DeadLetterOps.Page p = ops.page(f, a, l);
    return new Page(
        p.items().stream().map(DeadLetterViews::of).toList(),
        p.hasMore(),
        p.hasMore() ? String.valueOf(p.nextAfter()) : null,
        p.hasMore() ? p.nextAfter() : 0);
  }

  @GET
  @Path("groups")
  @Operation(
      summary = "Dead letters grouped by original subject and last error",
      description = "count, first/last seen and sequences per group; same filters as the list.")
  public DeadLetterOps.Groups groups(
      @QueryParam("subject") String subject,
      @QueryParam("error") String error,
      @QueryParam("since") String since) {
    return ops.groups(DeadLetterFilter.parse(subject, error, since, Instant.now()));
  }

  @GET
  @Path("{seq}")
  @Operation(summary = "One dead letter with its headers and payload")
  public DeadLetterViews.Item show(@PathParam("seq") String seq) {
    return deadLetters
        .show(sequence(seq))
        .map(DeadLetterViews::of)
        .orElseThrow(() -> Refusal.notFound("no such dead letter"));
  }

  @POST
  @Path("{seq}/replay")
  @Operation(summary = "Replay one dead letter to its original subject, then delete it")
  public DeadLetterViews.Replayed replay(@PathParam("seq") String seq) {
    long n = sequence(seq);
    return deadLetters
        .replay(n)
        .map(r -> DeadLetterViews.of(n, r))
        .orElseThrow(() -> Refusal.notFound("no such dead letter"));
  }

  @POST
  @Path("replay")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Replay many dead letters: a list of sequences or all matching a filter",
      description =
          "Each result is replayed, skipped (no longer needed: its instance or request has moved"
              + " on; the dead letter is deleted), not_found or failed (kept).")
  public Outcome replayMany(Selection body) {
    return Outcome.of(
        body != null && body.sequences() != null
            ? ops.replay(sequences(body))
            : ops.replayMatching(filter(body, "replay")));
  }

  @POST
  @Path("purge")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Delete many dead letters: a list of sequences or all matching a filter",
      description = "Deleting every dead letter needs {\"all\": true}.")
  public Outcome purge(Selection body) {
    return Outcome.of(
        body != null && body.sequences() != null
            ? ops.delete(sequences(body))
            : ops.deleteMatching(filter(body, "purge")));
  }

  @DELETE
  @Path("{seq}")
  @Operation(summary = "Delete a dead letter")
  public Response delete(@PathParam("seq") String seq) {
    if (!deadLetters.delete(sequence(seq))) {
      throw Refusal.notFound("no such dead letter");
    }
    return Response.noContent().build();
  }

  private static List<Long> sequences(Selection body) {
    if (body.sequences().isEmpty()) {
      throw Refusal.badRequest("sequences must list at least one sequence");
    }
    if (body.sequences().size() > AdminResource.MAX_PAGE) {
      throw Refusal.badRequest("at most " + AdminResource.MAX_PAGE + " sequences per call");
    }
    for (Long s : body.sequences()) {
      if (s == null || s < 1) {
        throw Refusal.badRequest("sequences must be positive numbers");
      }
    }
    return body.sequences();
  }

  private static DeadLetterFilter filter(Selection body, String what) {
    if (body == null) {
      throw Refusal.badRequest("send {\"sequences\": [...]} or a filter (subject, error, since)");
    }
    DeadLetterFilter f =
        DeadLetterFilter.parse(body.subject(), body.error(), body.since(), Instant.now());
    if (f.isEmpty() && !Boolean.TRUE.equals(body.all())) {
      throw Refusal.badRequest(
          "a "
              + what
              + " of every dead letter needs {\"all\": true}; or give sequences or a filter");
    }
    return f;
  }

  private static long sequence(String s) {
    long n = AdminResource.number(s, -1, "sequence");
    if (n < 1) {
      throw Refusal.badRequest("sequence must be a positive number");
    }
    return n;
  }
}
