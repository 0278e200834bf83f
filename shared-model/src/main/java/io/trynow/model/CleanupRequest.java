package io.trynow.model;

/**
 * Tear an instance down: {@code trynow.cleanup.<instance id>}, msg id {@code cleanup:<id>}.
 *
 * <p>One id per instance, whatever the reason and whoever asks (the visitor's release, an
 * operator's terminate, the reaper, a failed claim check, the pool retiring a surplus): teardown is
 * by instance and idempotent, so racing producers and retries collapse into one message within the
 * duplicate window, and the instance record (state {@code terminating}) is the truth the worker and
 * the orphan sweeper act on.
 *
 * @param reason {@code expired}, {@code released}, {@code forced}, {@code failed}, {@code surplus},
 *     {@code orphan}
 */
public record CleanupRequest(String instanceId, String reason, String requestId)
    implements WireMessage {

  @Override
  public String subject() {
    return Subjects.cleanup(instanceId);
  }

  @Override
  public String msgId() {
    return "cleanup:" + Ids.requireInstance(instanceId);
  }
}
