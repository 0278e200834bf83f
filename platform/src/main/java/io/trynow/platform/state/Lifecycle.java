package io.trynow.platform.state;

import static io.trynow.platform.state.Args.errorText;
import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Decode.fenced;
import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;
import static io.trynow.platform.state.Decode.time;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.time.InstantSource;

/**
 * How a demo ends: its owner extends or releases it, an idle or failed-probe instance is recycled,
 * an admin terminates it, and the cleanup worker marks it terminated after teardown. Get it from
 * {@link Store#lifecycle()}.
 */
public final class Lifecycle extends Operations {

  Lifecycle(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Extends an assigned instance by {@code by} (from its current expiry), capped at its max
   * lifetime; checked against the owner's token hash in the same call.
   */
  public ExtendResult extend(String id, String ownerTokenHash, Duration by) {
    Ids.requireInstance(id);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Args.requirePositive(by, "by");
    Reply r = client.call("extend", now(), id, ownerTokenHash, ms(by));
    return switch (status(r)) {
      case "extended" -> new ExtendResult.Extended(Decode.instance(r.get(2)), flag(r, 1));
      case "past_max" -> new ExtendResult.PastMaxLifetime(id, time(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "bad_token" -> new BadToken(id);
      default -> throw Decode.unexpected("extend", r);
    };
  }

  /**
   * {@code assigned → terminating} by its owner (unclaimed: the cleanup worker claims it with
   * {@link Claims#claimTerminate}). A repeat by the owner returns {@code Changed(repeat = true)}.
   */
  public ReleaseResult release(String id, String ownerTokenHash) {
    Ids.requireInstance(id);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Reply r = client.call("release", now(), id, ownerTokenHash);
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "bad_token" -> new BadToken(id);
      default -> throw Decode.unexpected("release", r);
    };
  }

  /**
   * {@code ready → terminating} if it is still ready (compare-and-set): an idle instance whose
   * probe failed, or that idled too long, leaves the ready list and is never handed out; the
   * cleanup worker tears it down ({@link Claims#claimTerminate}). {@code WrongState} when it was
   * handed out (or ended) since it was probed.
   */
  public AdminResult recycleReady(String id, String reason) {
    Ids.requireInstance(id);
    Reply r = client.call("recycle_ready", now(), id, errorText(reason));
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("recycle_ready", r);
    };
  }

  /**
   * Admin: ends an instance now. {@code ready}/{@code assigned} → {@code terminating} (unclaimed,
   * the cleanup worker tears it down); before ready → {@code failed} (port freed; a worker still
   * provisioning it finds its claim gone).
   */
  public AdminResult forceTerminate(String id, String reason) {
    Ids.requireInstance(id);
    Reply r = client.call("force_terminate", now(), id, errorText(reason), retentionMs);
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("force_terminate", r);
    };
  }

  /**
   * {@code terminating → terminated} after teardown: frees the port, removes the id from every
   * index and keeps the record as a tombstone for the retention period. A repeat is {@code
   * Changed(repeat = true)}.
   */
  public FencedResult markTerminated(String id, long fence) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    return fenced(
        client.call("mark_terminated", now(), id, String.valueOf(fence), retentionMs),
        id,
        "mark_terminated");
  }
}
