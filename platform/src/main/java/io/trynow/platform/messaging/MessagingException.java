package io.trynow.platform.messaging;

/** A messaging call that did not succeed, with what the caller can conclude from it. */
public class MessagingException extends RuntimeException {

  /** What went wrong, from the caller's point of view. */
  public enum Kind {
    /** NATS is not connected (yet): nothing was sent. Safe to retry later. */
    UNAVAILABLE,
    /**
     * No PubAck after the bounded retries: the message may or may not be stored. Retrying with the
     * same msg id is safe (de-duplication), publishing with a new id is not.
     */
    UNKNOWN_OUTCOME,
    /** The server answered with an error (no stream for the subject, bad config...). */
    REJECTED,
    /** A request got no reply in time. */
    TIMEOUT,
    /** A request found nobody listening on the subject. */
    NO_RESPONDERS
  }

  private final Kind kind;

  public MessagingException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public MessagingException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }
}
