package io.trynow.platform.messaging;

/**
 * Handles one JetStream message for a supervised consumer ({@link Consumers#consume}). It runs on
 * its own virtual thread, with the request id in the MDC, and must be idempotent: the same message
 * can arrive twice (redelivery after a crash, replay of a dead letter).
 *
 * <p>Return an {@link Outcome}; throwing is a retry-later (counted as a handler error). Long work
 * needs nothing special: the consumer sends {@code in-progress} heartbeats while the handler runs.
 */
@FunctionalInterface
public interface MessageHandler {

  Outcome handle(Delivery delivery) throws Exception;

  /**
   * Called after the outcome has been applied (ack confirmed by the server, nak or term sent, or
   * handed back at shutdown), on the handler's thread. For measurements and tests; must not throw.
   *
   * @param settlement {@code done}, {@code retry}, {@code dead_letter} or {@code abandoned} (the
   *     metric outcome tags of {@link io.trynow.platform.metrics.MetricNames})
   */
  default void afterSettle(Delivery delivery, String settlement) {}
}
