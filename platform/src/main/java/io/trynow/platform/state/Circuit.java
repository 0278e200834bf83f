package io.trynow.platform.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A template's failure circuit as stored in Valkey ({@code {prefix}:c:<template>}). Consecutive
 * provision failures open it, with a capped, jittered exponential backoff; a missing image opens it
 * at once. While it is not closed, {@code reserve_provision} creates nothing (half-open: one probe
 * at a time), {@code acquire} refuses to queue new visitors and the queued ones are dropped as
 * {@link RequestState#UNAVAILABLE}. A successful provision or the image coming back closes it.
 *
 * @param template template name
 * @param state closed, open or half-open
 * @param failures consecutive provision failures
 * @param trips openings since the last close (the backoff exponent)
 * @param openUntil while open: when a probe may be made (null when closed)
 * @param reason why it opened: {@code failures} or {@code image_missing} (null when closed)
 * @param lastError the last provision error (null if none)
 * @param lastErrorAt when it happened
 * @param probe the half-open probe's instance id (null if none)
 * @param changedAt when the state last changed
 */
public record Circuit(
    String template,
    State state,
    long failures,
    long trips,
    Instant openUntil,
    String reason,
    String lastError,
    Instant lastErrorAt,
    String probe,
    Instant changedAt) {

  /** The circuit's states. */
  public enum State {
    /** Provisioning runs normally. */
    CLOSED,
    /** Nothing is provisioned until {@code openUntil}. */
    OPEN,
    /** One probe is being provisioned; its outcome closes or re-opens the circuit. */
    HALF_OPEN;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State fromWire(String s) {
      return s == null || s.isEmpty() ? CLOSED : valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /** Not closed: new visitors are refused with {@code template_unavailable}. */
  public boolean degraded() {
    return state != State.CLOSED;
  }

  /** How long a visitor should wait before asking again (same rule as the acquire function). */
  public Duration retryAfter(Instant now) {
    return switch (state) {
      case CLOSED -> Duration.ZERO;
      case OPEN ->
          openUntil == null
              ? Duration.ofSeconds(1)
              : max(Duration.ofSeconds(1), Duration.between(now, openUntil));
      case HALF_OPEN -> Duration.ofSeconds(5);
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
