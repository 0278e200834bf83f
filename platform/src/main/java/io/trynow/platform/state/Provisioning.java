package io.trynow.platform.state;

import static io.trynow.platform.state.Args.errorText;
import static io.trynow.platform.state.Args.ms;
import static io.trynow.platform.state.Decode.fenced;
import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The steps of provisioning under a claim: a port, {@code provisioning → started}, {@code started →
 * ready} (handed to a waiting visitor or pooled), failing an instance, and the template's failure
 * circuit. Get it from {@link Store#provisioning()}.
 */
public final class Provisioning extends Operations {

  Provisioning(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /** Gives the instance a port from the free set (idempotent: a second call returns the same). */
  public PortResult allocatePort(String id, long fence) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    Reply r = client.call("allocate_port", now(), id, String.valueOf(fence));
    return switch (status(r)) {
      case "port" -> new PortResult.Allocated(id, (int) lng(r, 1), flag(r, 2));
      case "no_port" -> new PortResult.NoFreePort(id);
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw Decode.unexpected("allocate_port", r);
    };
  }

  /**
   * {@code provisioning → started}: the container runs and answers its health path. Needs a port
   * ({@link #allocatePort}) first.
   */
  public FencedResult markStarted(String id, long fence, String containerName) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    if (containerName == null || !containerName.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw new IllegalArgumentException("containerName must be a docker container name");
    }
    return fenced(
        client.call("mark_started", now(), id, String.valueOf(fence), containerName),
        id,
        "mark_started");
  }

  /**
   * Fails an instance from any live state before {@code terminating}, by the worker holding its
   * claim: frees its port, removes it from every index, records {@code error}. When it was
   * assigned, its request becomes {@code failed}; the returned record names the request and owner
   * so the visitor can be told.
   */
  public FencedResult markFailed(String id, long fence, String error) {
    Args.requireFence(fence);
    return failed(id, fence, error);
  }

  /**
   * {@link #markFailed(String, long, String)}, counting the failure against the template's {@link
   * Circuit} in the same call: a provision failure that says something about the template (its
   * image, its health), not about the machine.
   */
  public FencedResult markFailed(String id, long fence, String error, CircuitPolicy policy) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    return fenced(
        client.call(
            "mark_failed",
            now(),
            id,
            String.valueOf(fence),
            errorText(error),
            retentionMs,
            String.valueOf(policy.failureThreshold()),
            ms(policy.baseDelay()),
            ms(policy.maxDelay()),
            String.valueOf(java.util.concurrent.ThreadLocalRandom.current().nextInt(1000))),
        id,
        "mark_failed");
  }

  /** {@link #markFailed(String, long, String)} without a claim (proxy-sync, reconcilers, admin). */
  public FencedResult markFailed(String id, String error) {
    return failed(id, 0, error);
  }

  private FencedResult failed(String id, long fence, String error) {
    Ids.requireInstance(id);
    return fenced(
        client.call("mark_failed", now(), id, String.valueOf(fence), errorText(error), retentionMs),
        id,
        "mark_failed");
  }

  /**
   * {@code started → ready} once its route is in place: hands the instance to the oldest waiting
   * request of its template (→ assigned, expiry set), or pushes it to the ready list.
   *
   * @param url the public URL to store, or null
   */
  public ReadyResult markReady(String id, String url) {
    return markReady(id, url, true);
  }

  /**
   * {@link #markReady(String, String)}; with {@code handOver} false the instance is pooled even
   * when visitors wait (its template's claims are checked by pool-service, which hands it over with
   * {@link Requests#serveQueue}).
   */
  public ReadyResult markReady(String id, String url, boolean handOver) {
    Ids.requireInstance(id);
    if (url != null && (url.length() > 512 || url.isBlank())) {
      throw new IllegalArgumentException("url must be 1..512 characters");
    }
    Reply r =
        client.call(
            "mark_ready", now(), id, url == null ? "" : url, retentionMs, handOver ? "1" : "0");
    return switch (status(r)) {
      case "pooled" -> new ReadyResult.Pooled(Decode.instance(r.get(2)), flag(r, 1));
      case "handed" -> new ReadyResult.HandedOver(Decode.instance(r.get(3)), str(r, 1), flag(r, 2));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("mark_ready", r);
    };
  }

  /**
   * Reports the image check of a template (the provisioner's, at startup and on a timer). Missing:
   * the circuit opens at once until now + {@code hold} (renewed by every check that still finds it
   * missing). Present: a circuit that a missing image opened closes, so the pool refills.
   *
   * @return true when the circuit changed state
   */
  public boolean imageChecked(String template, boolean present, String error, Duration hold) {
    Ids.requireTemplate(template);
    Args.requirePositive(hold, "hold");
    Reply r =
        client.call(
            "circuit_image", now(), template, present ? "1" : "0", errorText(error), ms(hold));
    return flag(r, 1);
  }

  /** The template's failure circuit (closed when it never failed). */
  public Circuit circuit(String template) {
    Ids.requireTemplate(template);
    return Decode.circuit(template, client.call("get_circuit", now(), template).get(1));
  }
}
