package io.trynow.platform.state;

/** Outcome of {@link Provisioning#markReady}. */
public sealed interface ReadyResult
    permits ReadyResult.Pooled, ReadyResult.HandedOver, NotFound, WrongState {

  /** Nobody was waiting: the instance is now at the tail of its template's ready list. */
  record Pooled(Instance instance, boolean repeat) implements ReadyResult {}

  /**
   * The oldest waiting request of the template got the instance: it is now assigned (expiry set)
   * and the request is assigned. Tell that request's visitor.
   */
  record HandedOver(Instance instance, String requestId, boolean repeat) implements ReadyResult {}
}
