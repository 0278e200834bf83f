package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.trynow.model.Headers;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.tracing.Tracing;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one delivery's handler for a {@link SupervisedConsumer} and settles its message exactly once
 * as the {@link RetryPolicy} decides: ack, nak with a delay, or dead-letter then term (a dead
 * letter that cannot be stored is handed back instead; at MaxDeliver the advisory path stores it).
 * Each run carries the request id in the log context and a consume span, and is counted and timed
 * by outcome.
 */
final class HandlerRunner {

  private static final Logger LOG = Logger.getLogger(HandlerRunner.class);

  private final ConsumerSpec spec;
  private final MessageHandler handler;
  private final RetryPolicy policy;
  private final DeadLetters deadLetters;
  private final MeterRegistry meters;
  private final Tracing tracing;
  private final Counter redelivered;
  private final Counter handlerErrors;

  HandlerRunner(
      ConsumerSpec spec,
      MessageHandler handler,
      DeadLetters deadLetters,
      MeterRegistry meters,
      Tracing tracing) {
    this.spec = spec;
    this.handler = handler;
    this.policy = spec.retryPolicy();
    this.deadLetters = deadLetters;
    this.meters = meters;
    this.tracing = tracing;
    this.redelivered =
        Counter.builder(MetricNames.MESSAGES_REDELIVERED)
            .description("Deliveries with a delivery count above one")
            .tag(MetricNames.TAG_CONSUMER, spec.durable())
            .register(meters);
    this.handlerErrors =
        Counter.builder(MetricNames.HANDLER_ERRORS)
            .description("Handlers that threw")
            .tag(MetricNames.TAG_CONSUMER, spec.durable())
            .register(meters);
  }

  /**
   * Runs the handler of {@code f} on the calling thread, settles its message as the retry policy
   * decides, records the outcome; {@code finished} runs once the slot can be reused.
   */
  void run(InFlight f, Runnable finished) {
    long start = System.nanoTime();
    String outcomeTag = MetricNames.OUTCOME_RETRY;
    Delivery d = new Delivery(f.message, spec.maxDeliver(), f.dispatchedNanos);
    String requestId = d.requestId();
    if (requestId != null) {
      MDC.put(Headers.MDC_REQUEST_ID, requestId);
    }
    Span span = tracing.consume(spec.durable(), d.subject(), f.message.getHeaders());
    Tracing.toMdc(span);
    try (Scope ignored = Tracing.current(span)) {
      if (d.deliveryCount() > 1) {
        redelivered.increment();
      }
      RetryPolicy.Decision decision;
      try {
        Outcome o = handler.handle(d);
        decision =
            policy.decide(
                o != null ? o : Outcome.retryLater("handler returned null"),
                d.deliveryCount(),
                ThreadLocalRandom.current()::nextDouble);
      } catch (Throwable t) {
        handlerErrors.increment();
        LOG.errorf(t, "handler of %s failed on %s", spec.durable(), d);
        decision = policy.onError(t, d.deliveryCount(), ThreadLocalRandom.current()::nextDouble);
      }
      outcomeTag = apply(f, d, decision);
      try {
        handler.afterSettle(d, outcomeTag);
      } catch (RuntimeException e) {
        LOG.debugf("afterSettle of %s failed: %s", spec.durable(), e);
      }
    } finally {
      span.setAttribute(MetricNames.TAG_OUTCOME, outcomeTag);
      span.end();
      Tracing.clearMdc();
      finished.run();
      io.trynow.platform.metrics.Latency.histogram(MetricNames.HANDLER_DURATION)
          .description("Handler latency, ack included")
          .tag(MetricNames.TAG_CONSUMER, spec.durable())
          .tag(MetricNames.TAG_OUTCOME, outcomeTag)
          .register(meters)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      count(outcomeTag);
      MDC.remove(Headers.MDC_REQUEST_ID);
    }
  }

  private String apply(InFlight f, Delivery d, RetryPolicy.Decision decision) {
    switch (decision) {
      case RetryPolicy.Ack a -> {
        return f.settle(InFlight.Settle.ACK, null)
            ? MetricNames.OUTCOME_DONE
            : MetricNames.OUTCOME_ABANDONED;
      }
      case RetryPolicy.Nak n -> {
        LOG.infof(
            "%s: retry in %d ms (delivery %d/%d): %s",
            d, n.delay().toMillis(), d.deliveryCount(), spec.maxDeliver(), n.reason());
        return f.settle(InFlight.Settle.NAK, n.delay())
            ? MetricNames.OUTCOME_RETRY
            : MetricNames.OUTCOME_ABANDONED;
      }
      case RetryPolicy.DeadLetter dl -> {
        if (f.isSettled()) {
          return MetricNames.OUTCOME_ABANDONED;
        }
        try {
          deadLetters.store(d, dl.reason());
        } catch (RuntimeException e) {
          // Not stored: hand it back; at MaxDeliver the advisory path dead-letters it.
          LOG.errorf(e, "%s: could not dead-letter it; handing it back", d);
          f.settle(InFlight.Settle.NAK, spec.backoff().get(spec.backoff().size() - 1));
          return MetricNames.OUTCOME_RETRY;
        }
        f.settle(InFlight.Settle.TERM, null);
        return MetricNames.OUTCOME_DEAD_LETTER;
      }
    }
  }

  /** Counts one handled message by outcome. */
  void count(String outcome) {
    Counter.builder(MetricNames.MESSAGES_HANDLED)
        .description("Messages handled, by outcome")
        .tag(MetricNames.TAG_CONSUMER, spec.durable())
        .tag(MetricNames.TAG_OUTCOME, outcome)
        .register(meters)
        .increment();
  }
}
