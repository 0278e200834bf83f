package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.LEASE;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.InstanceState;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every transition function against an instance in every state: it moves exactly from the states
 * the {@link InstanceState} table allows, repeats are idempotent, and everything else is rejected
 * without a write. Together the functions cover every edge of the table.
 */
class TransitionTableIT extends StoreTestBase {

  enum Op {
    CLAIM_PROVISION,
    MARK_STARTED,
    MARK_READY,
    MARK_FAILED,
    RELEASE,
    FORCE_TERMINATE,
    MARK_TERMINATED
  }

  enum Outcome {
    MOVED,
    REPEAT,
    REJECTED
  }

  private static final Set<InstanceState> PRE_ASSIGNED =
      EnumSet.of(
          InstanceState.REQUESTED,
          InstanceState.PROVISIONING,
          InstanceState.STARTED,
          InstanceState.READY,
          InstanceState.ASSIGNED);

  /** From which states each op moves, and in which it is an idempotent repeat. */
  private static final Map<Op, Set<InstanceState>> MOVES =
      Map.of(
          Op.CLAIM_PROVISION, EnumSet.of(InstanceState.REQUESTED),
          Op.MARK_STARTED, EnumSet.of(InstanceState.PROVISIONING),
          Op.MARK_READY, EnumSet.of(InstanceState.STARTED),
          Op.MARK_FAILED, PRE_ASSIGNED,
          Op.RELEASE, EnumSet.of(InstanceState.ASSIGNED),
          Op.FORCE_TERMINATE, PRE_ASSIGNED,
          Op.MARK_TERMINATED, EnumSet.of(InstanceState.TERMINATING));

  private static final Map<Op, Set<InstanceState>> REPEATS =
      Map.of(
          Op.CLAIM_PROVISION, EnumSet.noneOf(InstanceState.class),
          Op.MARK_STARTED, EnumSet.of(InstanceState.STARTED),
          Op.MARK_READY, EnumSet.of(InstanceState.READY),
          Op.MARK_FAILED, EnumSet.of(InstanceState.FAILED),
          Op.RELEASE, EnumSet.of(InstanceState.TERMINATING, InstanceState.TERMINATED),
          Op.FORCE_TERMINATE, EnumSet.of(InstanceState.TERMINATING),
          Op.MARK_TERMINATED, EnumSet.of(InstanceState.TERMINATED));

  @Test
  void everyFunctionMovesOnlyAlongTheTableAndRejectsEveryOtherFromState() {
    Set<String> edges = new HashSet<>();
    for (InstanceState from : InstanceState.values()) {
      for (Op op : Op.values()) {
        Instance before = instanceIn(from);
        Outcome outcome = apply(op, before);
        Instance after = store.instance(before.id()).orElseThrow();
        String c = op + " from " + from;
        Outcome expected =
            MOVES.get(op).contains(from)
                ? Outcome.MOVED
                : REPEATS.get(op).contains(from) ? Outcome.REPEAT : Outcome.REJECTED;
        assertThat(outcome).as(c).isEqualTo(expected);
        if (outcome == Outcome.MOVED) {
          assertThat(from.canMoveTo(after.state())).as(c + " -> " + after.state()).isTrue();
          assertThat(after.version()).as(c).isGreaterThan(before.version());
          edges.add(from + ">" + after.state());
        } else {
          assertThat(after.state()).as(c).isEqualTo(before.state());
          assertThat(after.version()).as(c).isEqualTo(before.version());
        }
      }
      assertThat(ConsistencyChecker.check(store)).as("after " + from).isEmpty();
    }
    edges.add("READY>ASSIGNED"); // acquire; AcquireIT
    Set<String> table = new HashSet<>();
    for (InstanceState s : InstanceState.values()) {
      s.next().forEach(n -> table.add(s + ">" + n));
    }
    assertThat(edges).isEqualTo(table);
  }

  private Outcome apply(Op op, Instance i) {
    String id = i.id();
    long fence = Math.max(1, i.fence());
    Object r =
        switch (op) {
          case CLAIM_PROVISION -> store.claims().claimProvision(id, LEASE);
          case MARK_STARTED -> store.provisioning().markStarted(id, fence, "trynow-" + id);
          case MARK_READY -> store.provisioning().markReady(id, null);
          case MARK_FAILED -> store.provisioning().markFailed(id, "boom");
          case RELEASE -> store.lifecycle().release(id, TOKEN);
          case FORCE_TERMINATE -> store.lifecycle().forceTerminate(id, "admin");
          case MARK_TERMINATED -> {
            ClaimResult c = store.claims().claimTerminate(id, LEASE);
            long f = c instanceof ClaimResult.Claimed cl ? cl.fence() : fence;
            yield store.lifecycle().markTerminated(id, f);
          }
        };
    return switch (r) {
      case ClaimResult.Claimed c -> Outcome.MOVED;
      case Changed c -> c.repeat() ? Outcome.REPEAT : Outcome.MOVED;
      case ReadyResult.Pooled p -> p.repeat() ? Outcome.REPEAT : Outcome.MOVED;
      case ReadyResult.HandedOver h -> h.repeat() ? Outcome.REPEAT : Outcome.MOVED;
      case WrongState w -> Outcome.REJECTED;
      case BadToken b -> Outcome.REJECTED;
      case StaleFence s -> Outcome.REJECTED;
      case ClaimResult.Busy b -> Outcome.REJECTED;
      default -> throw new AssertionError("unexpected " + r);
    };
  }

  private Instance instanceIn(InstanceState state) {
    String tpl = template();
    Instance i =
        switch (state) {
          case REQUESTED -> store.instance(Fixtures.requested(store, tpl)).orElseThrow();
          case PROVISIONING -> Fixtures.provisioning(store, tpl);
          case STARTED -> Fixtures.started(store, tpl);
          case READY -> Fixtures.ready(store, tpl);
          case ASSIGNED -> Fixtures.assigned(store, tpl);
          case TERMINATING -> {
            Instance a = Fixtures.assigned(store, tpl);
            yield ((Changed) store.lifecycle().release(a.id(), TOKEN)).instance();
          }
          case TERMINATED -> {
            Instance a = Fixtures.assigned(store, tpl);
            store.lifecycle().release(a.id(), TOKEN);
            ClaimResult.Claimed c =
                (ClaimResult.Claimed) store.claims().claimTerminate(a.id(), LEASE);
            yield ((Changed) store.lifecycle().markTerminated(a.id(), c.fence())).instance();
          }
          case FAILED -> {
            Instance p = Fixtures.provisioning(store, tpl);
            yield ((Changed) store.provisioning().markFailed(p.id(), p.fence(), "boom")).instance();
          }
        };
    assertThat(i.state()).isEqualTo(state);
    return i;
  }
}
