package io.trynow.platform.state;

import static io.trynow.platform.state.Args.errorText;
import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Args.requireMax;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * How many instances a template keeps: the demand estimate and its target (observed and stored in
 * Valkey, so every replica sees the same), reservations of new records within the template's
 * limits, retiring the surplus, and the provision rate. Get it from {@link Store#sizing()}.
 */
public final class PoolSizing extends Operations {

  PoolSizing(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Creates {@code requested} records (with the given ids, in order) while ready + in-flight is
   * below min-ready + waiting requests, live total below max-total and in-flight below
   * max-in-flight — all counted inside the one call, so concurrent callers never over-provision.
   */
  public ReserveResult reserveProvision(ReserveArgs a) {
    List<String> args = new ArrayList<>();
    args.add(now());
    args.add(a.template());
    args.add(String.valueOf(a.minReady()));
    args.add(String.valueOf(a.maxTotal()));
    args.add(String.valueOf(a.maxInFlight()));
    args.addAll(a.ids());
    Reply r = client.call("reserve_provision", args.toArray(String[]::new));
    return new ReserveResult(Decode.strings(r.get(1)), Decode.stats(a.template(), r, 2));
  }

  /** {@link #observeDemand(String, Duration, Duration)} with one window for both rates. */
  public PoolDemand observeDemand(String template, Duration window) {
    return observeDemand(template, window, window);
  }

  /**
   * Folds the template's arrivals counted since the last call into its EWMAs (time constant {@code
   * window}, and the shorter {@code burstWindow} that a rising rate reaches sooner) and returns the
   * estimate with the stored target. Serialized in Valkey: the same whichever replica calls,
   * however often.
   */
  public PoolDemand observeDemand(String template, Duration window, Duration burstWindow) {
    Ids.requireTemplate(template);
    Args.requirePositive(window, "window");
    Args.requirePositive(burstWindow, "burstWindow");
    return demand(
        template, client.call("observe_demand", now(), template, ms(window), ms(burstWindow)));
  }

  /** The template's estimate and target as stored (read only). */
  public PoolDemand poolDemand(String template) {
    Ids.requireTemplate(template);
    return demand(template, client.call("pool_slo", now(), template));
  }

  /**
   * Stores the template's ready target if nothing changed the estimate since {@code seen.version()}
   * (compare-and-set); {@code reserveProvision} keeps at least that many ready. Returns false when
   * another caller got there first with a newer estimate. Beside the target it stores what it was
   * computed from, for operators ({@code /admin/pools}): the arrival rate used, the model's target
   * before smoothing and the mean wait for a provisioning slot included in {@code refillMs}.
   */
  public boolean setPoolTarget(
      PoolDemand seen,
      int target,
      long refillMs,
      boolean moved,
      double sizingRate,
      int rawTarget,
      long slotWaitMs) {
    Args.requireNotNegative(target, "target");
    Args.requireNotNegative(rawTarget, "rawTarget");
    if (!(sizingRate >= 0 && sizingRate < 1e9)) {
      throw new IllegalArgumentException("sizingRate must be >= 0 and < 1e9: " + sizingRate);
    }
    Reply r =
        client.call(
            "set_pool_target",
            now(),
            seen.template(),
            String.valueOf(seen.version()),
            String.valueOf(target),
            String.valueOf(Math.max(0, refillMs)),
            moved ? "1" : "0",
            String.format(java.util.Locale.ROOT, "%.6f", sizingRate),
            String.valueOf(rawTarget),
            String.valueOf(Math.max(0, slotWaitMs)));
    return "ok".equals(status(r));
  }

  /**
   * Retires up to {@code max} ready instances beyond {@code keep} ({@code ready → terminating},
   * unclaimed: publish their cleanup requests), unless one was retired less than {@code minGap} ago
   * or a visitor waits. Returns them.
   */
  public List<Instance> retireSurplus(
      String template, int keep, int max, Duration minGap, String reason) {
    Ids.requireTemplate(template);
    Args.requireNotNegative(keep, "keep");
    Reply r =
        client.call(
            "retire_surplus",
            now(),
            template,
            String.valueOf(keep),
            String.valueOf(requireMax(max)),
            ms(minGap),
            errorText(reason));
    return Decode.instances(r.get(1));
  }

  /** How many instances of {@code template} reached {@code started} within {@code window}. */
  public ProvisionRate provisionRate(String template, Duration window) {
    Ids.requireTemplate(template);
    Args.requirePositive(window, "window");
    Reply r = client.call("provision_rate", now(), template, ms(window));
    return new ProvisionRate(lng(r, 1), lng(r, 2));
  }

  private static PoolDemand demand(String template, Reply r) {
    return PoolDemand.of(template, Decode.fields(r.get(1)), Decode.strings(r.get(2)));
  }
}
