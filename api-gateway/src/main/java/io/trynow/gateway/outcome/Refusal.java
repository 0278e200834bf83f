package io.trynow.gateway.outcome;

import java.util.Locale;

/**
 * A call the gateway refuses, and why: what use-cases, auth, CORS and the event streams throw. It
 * knows nothing of HTTP; {@code rest/} turns it into an RFC 9457 problem ({@code ErrorMappers},
 * {@code ProblemTypes}). The detail is shown to the client: never put internals in it.
 */
public final class Refusal extends RuntimeException {

  /** Why: one stable problem type each (its slug is the name in kebab case). */
  public enum Reason {
    /** The input is malformed or out of range. */
    BAD_REQUEST,
    /** A path id has the wrong shape. */
    INVALID_ID,
    /** The template named is not configured. */
    UNKNOWN_TEMPLATE,
    /** A visitor field does not fit the template's schema. */
    INVALID_FIELD,
    /** No (valid) credentials: an access token, ticket or API key is needed. */
    UNAUTHORIZED,
    /** The credentials do not grant this. */
    FORBIDDEN,
    /** The calling site's origin may not do this. */
    ORIGIN_NOT_ALLOWED,
    /** No such resource (or not visible to this caller). */
    NOT_FOUND,
    /** The method is not allowed on this resource. */
    METHOD_NOT_ALLOWED,
    /** The requested media type cannot be produced. */
    NOT_ACCEPTABLE,
    /** The Idempotency-Key cannot be used for this request. */
    IDEMPOTENCY_CONFLICT,
    /** The request has ended (expired or failed). */
    REQUEST_CLOSED,
    /** The demo is already at its maximum lifetime. */
    MAX_LIFETIME_REACHED,
    /** The demo is not assigned (ending or ended). */
    NOT_ASSIGNED,
    /** The instance is in a state that does not allow this. */
    WRONG_STATE,
    /** The management port speaks HTTP/1.1 only. */
    UPGRADE_REQUIRED,
    /** The body is too large. */
    PAYLOAD_TOO_LARGE,
    /** The body's content type is not accepted. */
    UNSUPPORTED_MEDIA_TYPE,
    /** Too many acquires from this address in the hour or day window. */
    RATE_LIMITED,
    /** This address already holds as many live demos as allowed. */
    TOO_MANY_LIVE_DEMOS,
    /** Too many open event streams from this address. */
    TOO_MANY_STREAMS,
    /** Every demo of the template is taken and its queue is full. */
    CAPACITY_FULL,
    /** The template's failure circuit is open and nothing is ready. */
    TEMPLATE_UNAVAILABLE,
    /** A dependency (store, messaging) did not answer, or a global limit is reached: retry. */
    UNAVAILABLE,
    /** Our own bug. */
    INTERNAL;

    /** The kebab-case name, the last segment of the problem type URI. */
    public String slug() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Reason reason;
  private long retryAfterSeconds = -1;
  private RateLimits rateLimits;
  private String requestId;

  public Refusal(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public static Refusal of(Reason reason, String detail) {
    return new Refusal(reason, detail);
  }

  public static Refusal badRequest(String detail) {
    return new Refusal(Reason.BAD_REQUEST, detail);
  }

  public static Refusal badId(String what) {
    return new Refusal(Reason.INVALID_ID, "malformed " + what);
  }

  public static Refusal unauthorized(String detail) {
    return new Refusal(Reason.UNAUTHORIZED, detail);
  }

  public static Refusal forbidden(String detail) {
    return new Refusal(Reason.FORBIDDEN, detail);
  }

  public static Refusal notFound(String detail) {
    return new Refusal(Reason.NOT_FOUND, detail);
  }

  public static Refusal unavailable(String detail, long retryAfterSeconds) {
    return new Refusal(Reason.UNAVAILABLE, detail).retryAfter(retryAfterSeconds);
  }

  /** When asking again may succeed, in seconds (at least 1). */
  public Refusal retryAfter(long seconds) {
    this.retryAfterSeconds = Math.max(1, seconds);
    return this;
  }

  /** The caller's rate-limit windows as they stand (for a refused acquire). */
  public Refusal rateLimits(RateLimits limits) {
    this.rateLimits = limits;
    return this;
  }

  /**
   * The id of the request this refusal answers, when the use-case knows it better than the HTTP
   * layer: a retry with an Idempotency-Key after a 503 is the key's next attempt, whose id is only
   * known once the store has been read ({@code Acquirer}). The HTTP layer answers under this id
   * (header {@code Trynow-Request-Id} and the problem's {@code request_id}).
   */
  public Refusal requestId(String id) {
    this.requestId = id;
    return this;
  }

  /**
   * The id of the refused request when the use-case set it ({@link #requestId(String)}), or null.
   */
  public String requestId() {
    return requestId;
  }

  public Reason reason() {
    return reason;
  }

  /** Seconds before asking again may succeed, or -1 when not said. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The rate-limit windows, or null. */
  public RateLimits rateLimits() {
    return rateLimits;
  }
}
