package io.trynow.gateway.admin;

import io.trynow.model.AcquireRequest;
import io.trynow.model.CleanupRequest;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.DeadLetter;
import io.trynow.platform.messaging.DeadLetterPage;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What operators do with dead letters beyond one-by-one: filtered pages, groups by original subject
 * and error, replay or delete everything matching a filter. A scan reads the dead-letter stream in
 * pages of 500 and stops after {@link #MAX_SCAN} messages (reported as {@code truncated}).
 *
 * <p>A replay is skipped, and the dead letter deleted, when the work it carries is no longer
 * needed: a provision for an instance that is ready, assigned, terminating, terminated or gone (a
 * failed one is replayed: the provisioner then makes a replacement if the pool still needs one), a
 * cleanup for an instance already terminated or gone, an acquire whose request no longer exists.
 * Handlers are idempotent, so such a replay would do nothing; skipping says so.
 */
@ApplicationScoped
public class DeadLetterOps {

  static final int MAX_SCAN = 10_000;
  private static final int PAGE = 500;

  private final DeadLetters deadLetters;
  private final Store store;

  public DeadLetterOps(DeadLetters deadLetters, Store store) {
    this.deadLetters = deadLetters;
    this.store = store;
  }

  /** A page of matching dead letters after {@code after}, oldest first. */
  public record Page(List<DeadLetter> items, boolean hasMore, long nextAfter) {}

  public Page page(DeadLetterFilter filter, long after, int limit) {
    List<DeadLetter> out = new ArrayList<>();
    long cursor = after;
    int scanned = 0;
    while (scanned < MAX_SCAN) {
      DeadLetterPage p = deadLetters.list(cursor, PAGE);
      for (DeadLetter d : p.items()) {
        scanned++;
        cursor = d.sequence();
        if (!filter.matches(d)) {
          continue;
        }
        if (out.size() == limit) {
          // one more match exists: the page is full and there is more
          return new Page(out, true, out.get(out.size() - 1).sequence());
        }
        out.add(d);
      }
      if (p.nextAfter() == 0) {
        break;
      }
    }
    return new Page(out, false, out.isEmpty() ? 0 : out.get(out.size() - 1).sequence());
  }

  /** Dead letters with the same original subject and last error. */
  public record Group(
      String subject,
      String error,
      long count,
      Instant firstSeen,
      Instant lastSeen,
      long firstSequence,
      long lastSequence) {}

  public record Groups(List<Group> groups, long total, boolean truncated) {}

  public Groups groups(DeadLetterFilter filter) {
    Map<List<String>, Group> groups = new LinkedHashMap<>();
    long[] total = {0};
    boolean truncated =
        scan(
            filter,
            d -> {
              total[0]++;
              String error = d.lastError() == null ? "" : d.lastError();
              groups.merge(
                  List.of(d.originalSubject(), error),
                  new Group(
                      d.originalSubject(),
                      error,
                      1,
                      d.deadLetteredAt(),
                      d.deadLetteredAt(),
                      d.sequence(),
                      d.sequence()),
                  (a, b) ->
                      new Group(
                          a.subject(),
                          a.error(),
                          a.count() + 1,
                          min(a.firstSeen(), b.firstSeen()),
                          max(a.lastSeen(), b.lastSeen()),
                          Math.min(a.firstSequence(), b.firstSequence()),
                          Math.max(a.lastSequence(), b.lastSequence())));
            });
    List<Group> out = new ArrayList<>(groups.values());
    out.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::subject));
    return new Groups(out, total[0], truncated);
  }

  /** The outcome of replaying or deleting one dead letter. */
  public record Result(long sequence, String outcome, String reason) {}

  /** Replays each sequence in turn (skipping what is no longer needed). */
  public List<Result> replay(List<Long> sequences) {
    List<Result> out = new ArrayList<>();
    for (long seq : sequences) {
      out.add(replayOne(seq, deadLetters.show(seq)));
    }
    return out;
  }

  /** Replays every dead letter that matches (skipping what is no longer needed). */
  public List<Result> replayMatching(DeadLetterFilter filter) {
    List<DeadLetter> matching = collect(filter);
    List<Result> out = new ArrayList<>();
    for (DeadLetter d : matching) {
      out.add(replayOne(d.sequence(), Optional.of(d)));
    }
    return out;
  }

  /** Deletes the given sequences. */
  public List<Result> delete(List<Long> sequences) {
    List<Result> out = new ArrayList<>();
    for (long seq : sequences) {
      out.add(new Result(seq, deadLetters.delete(seq) ? "deleted" : "not_found", null));
    }
    return out;
  }

  /** Deletes every dead letter that matches. */
  public List<Result> deleteMatching(DeadLetterFilter filter) {
    return delete(collect(filter).stream().map(DeadLetter::sequence).toList());
  }

  /** Dead letters per original subject with ids folded ({@code trynow.cleanup.*}). */
  public Map<String, Long> depthBySubject() {
    Map<String, Long> depth = new LinkedHashMap<>();
    scan(
        new DeadLetterFilter(null, null, null),
        d -> depth.merge(subjectFamily(d.originalSubject()), 1L, Long::sum));
    return depth;
  }

  /**
   * The original subject with instance and request ids replaced by {@code *}, so that it can be a
   * metric label: {@code trynow.provision.hello} stays, {@code trynow.cleanup.i7x…} becomes {@code
   * trynow.cleanup.*}.
   */
  static String subjectFamily(String subject) {
    if (subject == null) {
      return "unknown";
    }
    String[] t = subject.split("\\.");
    for (int i = 0; i < t.length; i++) {
      if (io.trynow.model.Ids.isInstance(t[i]) || io.trynow.model.Ids.isRequest(t[i])) {
        t[i] = "*";
      }
    }
    return String.join(".", t);
  }

  private Result replayOne(long seq, Optional<DeadLetter> found) {
    if (found.isEmpty()) {
      return new Result(seq, "not_found", null);
    }
    Optional<String> unneeded = noLongerNeeded(found.get());
    try {
      if (unneeded.isPresent()) {
        deadLetters.delete(seq);
        return new Result(seq, "skipped", unneeded.get());
      }
      return deadLetters.replay(seq).isPresent()
          ? new Result(seq, "replayed", null)
          : new Result(seq, "not_found", null);
    } catch (RuntimeException e) {
      return new Result(seq, "failed", e.getMessage());
    }
  }

  /** Why replaying this dead letter would do nothing now, if so. */
  Optional<String> noLongerNeeded(DeadLetter d) {
    String subject = d.originalSubject() == null ? "" : d.originalSubject();
    try {
      if (subject.startsWith(Subjects.provision(""))) {
        String id = Json.read(d.data(), ProvisionRequest.class).instanceId();
        Optional<Instance> i = id == null ? Optional.empty() : store.instance(id);
        if (i.isEmpty()) {
          return Optional.of("instance " + id + " no longer exists");
        }
        InstanceState s = i.get().state();
        if (s != InstanceState.REQUESTED
            && s != InstanceState.PROVISIONING
            && s != InstanceState.STARTED
            && s != InstanceState.FAILED) {
          return Optional.of("instance " + id + " is " + s.wire());
        }
      } else if (subject.startsWith(Subjects.cleanup(""))) {
        String id = Json.read(d.data(), CleanupRequest.class).instanceId();
        Optional<Instance> i = id == null ? Optional.empty() : store.instance(id);
        if (i.isEmpty() || i.get().state() == InstanceState.TERMINATED) {
          return Optional.of("instance " + id + " is already terminated");
        }
      } else if (subject.startsWith(Subjects.acquire(""))) {
        String rid = Json.read(d.data(), AcquireRequest.class).requestId();
        if (rid != null && store.request(rid).isEmpty()) {
          return Optional.of("request " + rid + " no longer exists");
        }
      }
    } catch (RuntimeException e) {
      // not a message we can read: replay it and let its handler decide
    }
    return Optional.empty();
  }

  private List<DeadLetter> collect(DeadLetterFilter filter) {
    List<DeadLetter> out = new ArrayList<>();
    scan(filter, out::add);
    return out;
  }

  /** Visits every matching dead letter; true when it stopped at {@link #MAX_SCAN}. */
  private boolean scan(DeadLetterFilter filter, Consumer<DeadLetter> visit) {
    long cursor = 0;
    int scanned = 0;
    while (true) {
      DeadLetterPage p = deadLetters.list(cursor, PAGE);
      for (DeadLetter d : p.items()) {
        if (scanned++ >= MAX_SCAN) {
          return true;
        }
        cursor = d.sequence();
        if (filter.matches(d)) {
          visit.accept(d);
        }
      }
      if (p.nextAfter() == 0) {
        return false;
      }
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }
}
