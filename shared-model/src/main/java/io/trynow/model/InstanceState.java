package io.trynow.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The life of an instance. The transition table below is the contract; the Valkey functions enforce
 * the same table (compare-and-set on the from-state) and a test keeps the two in step.
 *
 * <pre>
 * requested → provisioning → started → ready → assigned → terminating → terminated
 * failed from any live state before terminating (an assigned instance whose container died
 * fails too, and its visitor is told); assigned → terminating on expiry or release
 * </pre>
 */
public enum InstanceState {
  REQUESTED,
  PROVISIONING,
  STARTED,
  READY,
  ASSIGNED,
  TERMINATING,
  TERMINATED,
  FAILED;

  private static final Map<InstanceState, Set<InstanceState>> NEXT =
      Map.of(
          REQUESTED, EnumSet.of(PROVISIONING, FAILED),
          PROVISIONING, EnumSet.of(STARTED, FAILED),
          STARTED, EnumSet.of(READY, FAILED),
          READY, EnumSet.of(ASSIGNED, TERMINATING, FAILED),
          ASSIGNED, EnumSet.of(TERMINATING, FAILED),
          TERMINATING, EnumSet.of(TERMINATED),
          TERMINATED, EnumSet.noneOf(InstanceState.class),
          FAILED, EnumSet.noneOf(InstanceState.class));

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The name stored in Valkey and sent on the wire: lower case (made once, not per call). */
  public String wire() {
    return wire;
  }

  public static InstanceState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  public boolean canMoveTo(InstanceState next) {
    return NEXT.get(this).contains(next);
  }

  public Set<InstanceState> next() {
    return NEXT.get(this);
  }

  /** States in which the instance holds (or is about to hold) a container, a port and a route. */
  public boolean isLive() {
    return this != TERMINATED && this != FAILED;
  }
}
