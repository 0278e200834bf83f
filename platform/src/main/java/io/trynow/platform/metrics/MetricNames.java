package io.trynow.platform.metrics;

/**
 * Micrometer meter names of the platform (messaging, supervisor). Prometheus renders {@code a.b.c}
 * as {@code a_b_c}, counters with {@code _total}, timers with {@code _seconds_*}. Tags are
 * low-cardinality only: {@code loop}, {@code consumer}, {@code stream}, {@code outcome}, {@code
 * source} — never an instance or request id.
 */
public final class MetricNames {

  private MetricNames() {}

  // --- readiness ----------------------------------------------------------------------------

  /** {@code trynow_ready}: 1 while the service's readiness checks pass, else 0. */
  public static final String READY = "trynow.ready";

  // --- supervisor ---------------------------------------------------------------------------

  /** {@code trynow_loop_failures_total{loop}}: iterations that threw (Throwable). */
  public static final String LOOP_FAILURES = "trynow.loop.failures";

  /** {@code trynow_loop_restarts_total{loop}}: restarts after a failure (after the backoff). */
  public static final String LOOP_RESTARTS = "trynow.loop.restarts";

  /** {@code trynow_loop_iterations_total{loop}}: iterations that completed. */
  public static final String LOOP_ITERATIONS = "trynow.loop.iterations";

  // --- consumers ----------------------------------------------------------------------------

  /**
   * {@code trynow_messages_handled_total{consumer,outcome}}; outcome is one of {@link
   * #OUTCOME_DONE}, {@link #OUTCOME_RETRY}, {@link #OUTCOME_DEAD_LETTER}, {@link
   * #OUTCOME_ABANDONED}.
   */
  public static final String MESSAGES_HANDLED = "trynow.messages.handled";

  /** {@code trynow_handler_errors_total{consumer}}: handlers that threw. */
  public static final String HANDLER_ERRORS = "trynow.handler.errors";

  /** {@code trynow_messages_redelivered_total{consumer}}: deliveries with a count above one. */
  public static final String MESSAGES_REDELIVERED = "trynow.messages.redelivered";

  /** {@code trynow_handler_duration_seconds{consumer,outcome}}: handler latency. */
  public static final String HANDLER_DURATION = "trynow.handler.duration";

  /** {@code trynow_consumer_pending{consumer}}: messages not yet delivered (server view). */
  public static final String CONSUMER_PENDING = "trynow.consumer.pending";

  /** {@code trynow_consumer_ack_pending{consumer}}: delivered, not yet acked (server view). */
  public static final String CONSUMER_ACK_PENDING = "trynow.consumer.ack.pending";

  /** {@code trynow_consumer_in_flight{consumer}}: handlers running now in this process. */
  public static final String CONSUMER_IN_FLIGHT = "trynow.consumer.in.flight";

  public static final String OUTCOME_DONE = "done";
  public static final String OUTCOME_RETRY = "retry";
  public static final String OUTCOME_DEAD_LETTER = "dead_letter";

  /** Handed back (nak) at shutdown because it could not finish within the grace period. */
  public static final String OUTCOME_ABANDONED = "abandoned";

  // --- publishing ---------------------------------------------------------------------------

  /** {@code trynow_publish_total{stream,result}}; result {@code stored} or {@code duplicate}. */
  public static final String PUBLISHED = "trynow.publish";

  /** {@code trynow_publish_retries_total}: PubAck timeouts retried with the same msg id. */
  public static final String PUBLISH_RETRIES = "trynow.publish.retries";

  /** {@code trynow_publish_failures_total{reason}}: publishes given up (unknown or rejected). */
  public static final String PUBLISH_FAILURES = "trynow.publish.failures";

  // --- dead letters -------------------------------------------------------------------------

  /**
   * {@code trynow_dead_letters_total{stream,source}}: dead letters stored (not duplicates); source
   * {@code give_up} or {@code max_deliveries}.
   */
  public static final String DEAD_LETTERS = "trynow.dead.letters";

  /** {@code trynow_dead_letter_replays_total}: dead letters replayed (and deleted). */
  public static final String DEAD_LETTER_REPLAYS = "trynow.dead.letter.replays";

  /**
   * {@code trynow_dead_letters_dropped_total}: old dead letters pushed out of {@code TRYNOW_DLQ} by
   * a new one at the stream's bound (discard old keeps the newest).
   */
  public static final String DEAD_LETTERS_DROPPED = "trynow.dead.letters.dropped";

  public static final String TAG_LOOP = "loop";
  public static final String TAG_CONSUMER = "consumer";
  public static final String TAG_STREAM = "stream";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_RESULT = "result";
  public static final String TAG_SOURCE = "source";
  public static final String TAG_REASON = "reason";
}
