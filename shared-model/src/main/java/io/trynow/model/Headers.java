package io.trynow.model;

/** NATS and HTTP header names. */
public final class Headers {

  private Headers() {}

  /** Travels through every hop and into every log line (MDC key {@link #MDC_REQUEST_ID}). */
  public static final String REQUEST_ID = "Trynow-Request-Id";

  /** On a replayed message: the stream sequence of the dead letter it came from. */
  public static final String REPLAY_OF = "Trynow-Replay-Of";

  /** Dead-letter headers. */
  public static final String DLQ_SUBJECT = "Trynow-Dlq-Subject";

  public static final String DLQ_STREAM = "Trynow-Dlq-Stream";
  public static final String DLQ_SEQUENCE = "Trynow-Dlq-Sequence";
  public static final String DLQ_DELIVERIES = "Trynow-Dlq-Deliveries";
  public static final String DLQ_ERROR = "Trynow-Dlq-Error";
  public static final String DLQ_TIME = "Trynow-Dlq-Time";

  /**
   * On a JetStream message whose publisher waits for an answer: the core NATS inbox to reply to
   * (the gateway's acquire waits for the pool's answer this way).
   */
  public static final String REPLY_TO = "Trynow-Reply-To";

  /**
   * HTTP, Caddy → api-gateway: the demo host a visitor asked for that has no route; Caddy's
   * catch-all sets it when it proxies to {@code GET /demo-host} (the ended / starting… page).
   */
  public static final String DEMO_HOST = "Trynow-Demo-Host";

  /**
   * W3C trace context ({@code traceparent}, {@code tracestate}): set on every NATS message
   * published while a trace is active, so that one acquire or one provision is one OpenTelemetry
   * trace across gateway → pool → provisioner → proxy-sync. The same names as the HTTP headers.
   */
  public static final String TRACEPARENT = "traceparent";

  public static final String TRACESTATE = "tracestate";

  /** The JetStream de-duplication header. */
  public static final String NATS_MSG_ID = "Nats-Msg-Id";

  public static final String MDC_REQUEST_ID = "request.id";
  public static final String MDC_INSTANCE_ID = "instance.id";
  public static final String MDC_TEMPLATE = "template";
}
