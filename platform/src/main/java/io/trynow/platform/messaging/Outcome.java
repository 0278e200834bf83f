package io.trynow.platform.messaging;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MessageHandler} decided; the consumer maps it to exactly one acknowledgement:
 *
 * <ul>
 *   <li>{@link Done} → ack.
 *   <li>{@link RetryLater} → nak with a delay (the handler's, or the consumer's {@link RetryPolicy}
 *       for this delivery). On the last allowed delivery it becomes a give-up.
 *   <li>{@link GiveUp} → the message is copied to the dead-letter stream, then termed.
 * </ul>
 *
 * A handler that throws is treated as {@code RetryLater} with the policy's delay (and counted).
 */
public sealed interface Outcome {

  /** The work is done (or was already done: handlers are idempotent). */
  record Done() implements Outcome {}

  /**
   * Try again later.
   *
   * @param delay null to use the consumer's retry policy
   * @param reason why, for the log and, if retries run out, the dead letter
   */
  record RetryLater(Duration delay, String reason) implements Outcome {}

  /**
   * Never going to work (malformed, unknown template, ...): dead-letter it.
   *
   * @param reason stored in the dead letter's {@code Trynow-Dlq-Error} header
   */
  record GiveUp(String reason) implements Outcome {
    public GiveUp {
      Objects.requireNonNull(reason);
    }
  }

  Done DONE = new Done();

  static Outcome done() {
    return DONE;
  }

  /** Retry after the consumer's policy delay for this delivery. */
  static Outcome retryLater(String reason) {
    return new RetryLater(null, reason);
  }

  static Outcome retryLater(Duration delay, String reason) {
    return new RetryLater(Objects.requireNonNull(delay), reason);
  }

  static Outcome giveUp(String reason) {
    return new GiveUp(reason);
  }
}
