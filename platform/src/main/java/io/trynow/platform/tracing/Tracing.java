package io.trynow.platform.tracing;

import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.List;
import org.jboss.logging.MDC;

/**
 * W3C trace context in NATS message headers ({@link io.trynow.model.Headers#TRACEPARENT}): a
 * PRODUCER span around each publish whose context goes into the message, and a CONSUMER span, child
 * of the context the message carries, around each handler. So an acquire is one trace from the
 * gateway's HTTP span through pool-service, provisioner-worker and proxy-sync. With the SDK off
 * ({@link TracingConfig}) every span is a no-op and no header is written.
 */
public final class Tracing {

  /** Records nothing, propagates nothing: plain classes and tests that do not trace. */
  public static final Tracing NOOP = new Tracing(OpenTelemetry.noop());

  /** MDC keys of the current trace and span: the ones Quarkus uses on HTTP threads. */
  static final String MDC_TRACE_ID = "traceId";

  static final String MDC_SPAN_ID = "spanId";

  /** Span attribute: the NATS subject. */
  static final String SUBJECT = "messaging.destination.name";

  private static final TextMapSetter<Headers> SETTER = (h, k, v) -> h.put(k, v);

  private static final TextMapGetter<Headers> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers h) {
          return h == null ? List.of() : h.keySet();
        }

        @Override
        public String get(Headers h, String key) {
          return h == null ? null : h.getFirst(key);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public Tracing(OpenTelemetry otel) {
    this.tracer = otel.getTracer("io.trynow.messaging");
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  /**
   * Starts the PRODUCER span of a publish to {@code subject} (child of the current context, or a
   * new trace) and writes its context into {@code headers}. End it with {@link #end}.
   */
  public Span publish(String subject, Headers headers) {
    Span span =
        tracer
            .spanBuilder("publish " + family(subject))
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute(SUBJECT, subject)
            .startSpan();
    propagator.inject(Context.current().with(span), headers, SETTER);
    return span;
  }

  /** Writes the current context (no new span) into {@code headers}: a core NATS reply. */
  public void inject(Headers headers) {
    propagator.inject(Context.current(), headers, SETTER);
  }

  /**
   * Starts the CONSUMER span of handling a message of {@code durable} whose headers are {@code
   * headers}: a child of the context they carry (a new trace when none). Make it current while the
   * handler runs, then {@link #end} it.
   */
  public Span consume(String durable, String subject, Headers headers) {
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    return tracer
        .spanBuilder("process " + durable)
        .setParent(parent)
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(SUBJECT, subject)
        .startSpan();
  }

  /**
   * Makes {@code span} current, if it is a real one: attaching a no-op span would still make
   * Quarkus write all-zero trace ids into every log line's MDC while tracing is off.
   */
  public static Scope current(Span span) {
    return span.getSpanContext().isValid() ? span.makeCurrent() : Scope.noop();
  }

  /** Ends {@code span}, marked as an error when {@code failure} is not null. */
  public static void end(Span span, Throwable failure) {
    if (failure != null) {
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Puts the span's trace and span id into the MDC (Quarkus' keys), for the log lines. */
  public static void toMdc(Span span) {
    SpanContext c = span.getSpanContext();
    if (c.isValid()) {
      MDC.put(MDC_TRACE_ID, c.getTraceId());
      MDC.put(MDC_SPAN_ID, c.getSpanId());
    }
  }

  /** Removes what {@link #toMdc} put. */
  public static void clearMdc() {
    MDC.remove(MDC_TRACE_ID);
    MDC.remove(MDC_SPAN_ID);
  }

  /**
   * A span name must not carry ids: the subject's first two tokens ({@code trynow.provision},
   * {@code trynow.cleanup}, ...).
   */
  static String family(String subject) {
    int first = subject.indexOf('.');
    int second = first < 0 ? -1 : subject.indexOf('.', first + 1);
    return second < 0 ? subject : subject.substring(0, second);
  }
}
