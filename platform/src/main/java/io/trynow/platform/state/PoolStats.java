package io.trynow.platform.state;

/**
 * Counts for one template, read in one atomic call.
 *
 * @param template template name
 * @param requested records created by {@code reserveProvision}, not yet claimed
 * @param provisioning claimed by a provisioner
 * @param started container running, route not yet in place
 * @param ready in the ready list
 * @param assigned held by visitors
 * @param terminating being torn down
 * @param waiting requests in the wait queue
 */
public record PoolStats(
    String template,
    long requested,
    long provisioning,
    long started,
    long ready,
    long assigned,
    long terminating,
    long waiting) {

  /** Being provisioned: requested + provisioning + started. */
  public long inFlight() {
    return requested + provisioning + started;
  }

  /**
   * In the Docker engine's hands: requested + provisioning (what {@code max-in-flight} caps; a
   * started container only waits for its route).
   */
  public long inEngine() {
    return requested + provisioning;
  }

  /** Every live instance (all states but terminated and failed). */
  public long total() {
    return inFlight() + ready + assigned + terminating;
  }
}
