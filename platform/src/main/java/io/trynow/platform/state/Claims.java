package io.trynow.platform.state;

import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Args.requireMax;
import static io.trynow.platform.state.Decode.claim;
import static io.trynow.platform.state.Decode.fenced;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Claims with a lease and a fencing token: a worker claims an instance to provision it ({@code
 * requested → provisioning}) or to tear it down ({@code terminating}), renews the lease while it
 * works, and passes the token to every later write; a claim whose lease lapsed may be taken over.
 * Get it from {@link Store#claims()}.
 */
public final class Claims extends Operations {

  Claims(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Claims a {@code requested} instance for provisioning ({@code → provisioning}), or re-claims a
   * {@code provisioning} one whose lease has expired. Each claim bumps the fencing token; pass it
   * to every later write.
   */
  public ClaimResult claimProvision(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return claim(
        client.call("claim_provision", now(), id, ms(lease), retentionMs), id, "claim_provision");
  }

  /**
   * Extends the lease of the caller's claim (provisioning or terminating) to now + {@code lease}.
   */
  public FencedResult renewLease(String id, long fence, Duration lease) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    Args.requirePositive(lease, "lease");
    return fenced(
        client.call("renew_lease", now(), id, String.valueOf(fence), ms(lease)), id, "renew_lease");
  }

  /**
   * Moves up to {@code max} assigned instances whose expiry has passed to {@code terminating}, each
   * claimed with a lease; returns them (with their fencing tokens) for teardown.
   */
  public List<Instance> claimExpired(int max, Duration lease) {
    Args.requirePositive(lease, "lease");
    Reply r = client.call("claim_expired", now(), String.valueOf(requireMax(max)), ms(lease));
    return Decode.instances(r.get(1));
  }

  /**
   * Claims a {@code terminating} instance for teardown (released or force-terminated ones are
   * unclaimed; an expired lease may be taken over).
   */
  public ClaimResult claimTerminate(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return claim(client.call("claim_terminate", now(), id, ms(lease)), id, "claim_terminate");
  }
}
