package io.trynow.model;

/**
 * A message of the contract: it knows the subject it is published to and its JetStream msg id
 * ({@code Nats-Msg-Id}), so no service spells either. Publish one with {@code
 * Publisher.publish(message)} (platform); the payload is the record as JSON ({@link Json}).
 *
 * <p>The msg id names the <em>logical</em> event or command, never the attempt: a retry after a
 * PubAck timeout, a redelivered handler and N replicas doing the same work all produce the same id,
 * and JetStream stores the message once within the stream's duplicate window. Changing an id's
 * format is a wire change: during a rolling upgrade an old and a new replica publishing the same
 * logical message produce two ids, so it is stored twice (once per format) until the window passes.
 * Consumers are idempotent and events are hints, so that costs one duplicate, no loss.
 */
public sealed interface WireMessage
    permits AcquireRequest, ProvisionRequest, CleanupRequest, InstanceEvent, RequestEvent {

  /** The NATS subject this message is published to ({@link Subjects}). */
  String subject();

  /** The JetStream de-duplication id: stable for every retry of the same logical message. */
  String msgId();

  /** The {@code Trynow-Request-Id} header, or null (the publisher then uses the MDC's, if any). */
  String requestId();
}
