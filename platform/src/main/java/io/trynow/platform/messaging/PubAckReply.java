package io.trynow.platform.messaging;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.PublishAck;
import io.nats.client.support.Status;
import java.io.IOException;
import java.util.Optional;

/**
 * What the answer to one JetStream publish says, read from its type and status code, never from an
 * exception's text. A publish is a core request on the shared reply inbox; its answer is a PubAck,
 * an API error, a {@code 503} status (no stream listens on the subject: nothing was stored), or
 * nothing in time (the outcome is unknown: resend with the same msg id).
 */
sealed interface PubAckReply {

  /** Stored (or recognised as a duplicate of a stored message). */
  record Stored(PublishAck ack) implements PubAckReply {}

  /** The server refused it, e.g. the stream is full (API error code 10077). Not stored. */
  record Rejected(int apiErrorCode, String description, JetStreamApiException cause)
      implements PubAckReply {}

  /** No stream captures the subject, or JetStream is off: {@code 503 No Responders}. */
  record NoStream() implements PubAckReply {}

  /** No answer in time, or an answer that is not a PubAck: stored or not, nobody knows. */
  record NoAnswer(String why) implements PubAckReply {}

  /** Classifies the answer to a publish (empty: none came in time). */
  static PubAckReply of(Optional<Message> answer) {
    if (answer.isEmpty()) {
      return new NoAnswer("no PubAck in time");
    }
    Message m = answer.get();
    if (m.isStatusMessage()) {
      Status s = m.getStatus();
      return s.getCode() == Status.NO_RESPONDERS_CODE
          ? new NoStream()
          : new NoAnswer("status " + s.getCode() + " instead of a PubAck");
    }
    try {
      return new Stored(new PublishAck(m));
    } catch (JetStreamApiException e) {
      return new Rejected(e.getApiErrorCode(), e.getErrorDescription(), e);
    } catch (IOException e) {
      return new NoAnswer("not a PubAck: " + e.getMessage());
    }
  }
}
