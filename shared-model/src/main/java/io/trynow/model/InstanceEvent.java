package io.trynow.model;

import java.util.Objects;

/**
 * An instance moved: {@code trynow.events.instance.<id>.<kind>} on stream {@code TRYNOW_EVENTS}.
 * Events are hints: consumers re-read Valkey before acting. Build one from the store's record with
 * {@code InstanceEvents.of(kind, instance, reason)} (platform), not by hand.
 *
 * <p>Msg id {@code <instance id>:<version>:<kind>}: the record's version identifies the transition,
 * so a retry or a repeat of the same transition (a redelivered handler finds the instance already
 * moved and publishes again) is de-duplicated, while the next transition is not. The kind is part
 * of the id because not every event is its own version (two kinds may report the same record).
 *
 * @param state the instance's state after the transition ({@link InstanceState#wire()})
 * @param version the instance record's version after the transition
 * @param atMs when the event was published (epoch ms)
 * @param requestId the request the instance is assigned to, if any
 * @param expiresAtMs the demo's expiry (epoch ms), when assigned
 * @param reason why (failed, terminating), or the record's last error
 */
public record InstanceEvent(
    InstanceEventKind kind,
    String instanceId,
    String template,
    String state,
    long version,
    long atMs,
    String requestId,
    String url,
    Long expiresAtMs,
    String reason)
    implements WireMessage {

  public InstanceEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(instanceId, "instanceId");
  }

  @Override
  public String subject() {
    return Subjects.instanceEvent(instanceId, requireKnown());
  }

  @Override
  public String msgId() {
    return instanceId + ":" + version + ":" + requireKnown().wire();
  }

  private InstanceEventKind requireKnown() {
    if (kind == InstanceEventKind.UNKNOWN) {
      throw new IllegalStateException("an event of unknown kind is never published");
    }
    return kind;
  }
}
