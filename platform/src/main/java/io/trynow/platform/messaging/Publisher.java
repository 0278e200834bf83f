package io.trynow.platform.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.support.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.trynow.model.Json;
import io.trynow.model.WireMessage;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.tracing.Tracing;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Publishes to JetStream the one way trynow does it: a deterministic {@code Nats-Msg-Id} (so a
 * retry is de-duplicated by the server), a {@code Trynow-Request-Id} header, and a PubAck awaited
 * on the shared reply inbox. The answer is classified by type ({@link PubAckReply}): a PubAck, an
 * API error (REJECTED, with its JetStream error code), a {@code 503} status (no stream: the streams
 * are declared and the message sent again), or none in time. While a trace is active, the message
 * also carries its W3C context ({@link #traced}). A PubAck timeout means "unknown": the same
 * message (same id) is sent again, up to {@link Options#attempts()} times, then {@link
 * MessagingException.Kind#UNKNOWN_OUTCOME}. Duplicates are reported ({@link
 * PublishResult#duplicate()}) and counted.
 *
 * <p>Services publish only messages of the contract ({@link #publish(WireMessage)}): the record
 * names its subject and msg id, so no service spells either.
 *
 * <p>Also the core NATS helpers: {@link #request} (request/reply), {@link #publishAndAwaitReply}
 * (JetStream publish whose consumer answers on a core inbox — the gateway ↔ pool round trip) and
 * {@link #reply}.
 */
public final class Publisher {

  private static final Logger LOG = Logger.getLogger(Publisher.class);

  /**
   * @param pubAckTimeout wait for one PubAck
   * @param attempts sends of the same message before giving up as unknown (at least 1)
   */
  public record Options(Duration pubAckTimeout, int attempts) {

    public Options {
      if (attempts < 1) {
        throw new IllegalArgumentException("publish attempts must be >= 1");
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofSeconds(2), 3);
    }
  }

  private final Supplier<Connection> connection;
  private final Streams streams;
  private final Options options;
  private final MeterRegistry meters;
  private final Counter retries;
  private final ReplyInbox inbox;
  private volatile Tracing tracing = Tracing.NOOP;

  public Publisher(Supplier<Connection> connection, Options options, MeterRegistry meters) {
    this(connection, null, options, meters);
  }

  /**
   * A publisher that declares the streams ({@link Streams#declareAll()}) when a publish finds no
   * stream for its subject (a service publishing before anything declared them, or a NATS that came
   * back empty), then sends again.
   */
  public Publisher(
      Supplier<Connection> connection, Streams streams, Options options, MeterRegistry meters) {
    this.streams = streams;
    this.connection = Objects.requireNonNull(connection);
    this.options = Objects.requireNonNull(options);
    this.meters = Objects.requireNonNull(meters);
    this.retries =
        Counter.builder(MetricNames.PUBLISH_RETRIES)
            .description("PubAck timeouts retried with the same msg id")
            .register(meters);
    this.inbox = new ReplyInbox(this::connection);
  }

  public Publisher(Connection connection, Options options, MeterRegistry meters) {
    this(() -> connection, options, meters);
  }

  /**
   * Carries the W3C trace context in every message from now on: a PRODUCER span per publish, its
   * context in the {@code traceparent} header ({@link Tracing}). Returns this publisher.
   */
  public Publisher traced(Tracing tracing) {
    this.tracing = Objects.requireNonNull(tracing);
    return this;
  }

  /**
   * Publishes a message of the contract: to its {@link WireMessage#subject()}, with its {@link
   * WireMessage#msgId()}, header {@code Trynow-Request-Id} = its request id (when null: the MDC's,
   * if any), the record as JSON ({@link Json}). The one way services publish.
   *
   * @throws MessagingException UNAVAILABLE, REJECTED (not stored: no stream for the subject, or the
   *     server refused it) or UNKNOWN_OUTCOME (no PubAck after the retries: retry later with the
   *     same message, hence the same msg id)
   */
  public PublishResult publish(WireMessage message) {
    return publish(message.subject(), message.msgId(), message.requestId(), Json.write(message));
  }

  /**
   * {@link #publish(WireMessage)} without a thread waiting for its PubAck: the message goes out
   * with a pending answer on the shared reply inbox, and the PubAck is settled as {@link #sendFrom}
   * settles it (counted, or REJECTED) on the thread that read it. One that does not come in time or
   * says "no stream" hands the rest of the send loop (same msg id, the remaining attempts, the
   * streams declared) to {@code blocking}; so does the whole publish when the connection is not up
   * or the inbox not subscribed yet. For a fire-and-forget event whose loss is a lost hint (a warm
   * hit's {@code assigned} events): a blocking publish of two of them held a virtual thread through
   * two PubAcks per acquire (issue #15).
   *
   * @return the stored message's stream and sequence; fails with {@link MessagingException} as
   *     {@link #publish(WireMessage)} throws it
   */
  public java.util.concurrent.CompletableFuture<PublishResult> publishAsync(
      WireMessage message, java.util.concurrent.Executor blocking) {
    String subject = message.subject();
    String msgId = message.msgId();
    Headers headers = requestHeaders(message.requestId());
    byte[] payload = Json.write(message);
    Connection c = inbox.ready();
    ReplyInbox.Pending ack = c == null ? null : inbox.openOn(c);
    if (ack == null) {
      return java.util.concurrent.CompletableFuture.supplyAsync(
          () -> publishWithHeaders(subject, msgId, headers, payload), blocking);
    }
    Span span = tracing.publish(subject, headers);
    span.setAttribute("messaging.message.id", msgId);
    headers.put(io.trynow.model.Headers.NATS_MSG_ID, msgId);
    try {
      c.publish(subject, ack.subject(), headers, payload);
    } catch (IllegalStateException e) {
      ack.close();
      MessagingException failed = closed(e);
      Tracing.end(span, failed);
      return java.util.concurrent.CompletableFuture.failedFuture(failed);
    }
    return settleAsync(ack, subject, msgId, headers, payload, blocking)
        .whenComplete((r, e) -> Tracing.end(span, e));
  }

  /**
   * Settles attempt 1 of a publish already sent with {@code ack} as its reply subject, without a
   * thread waiting for it: a PubAck is settled as {@link #sendFrom} settles it (counted, or
   * REJECTED) by the thread that read it; none in time, or "no stream", hands the rest of the send
   * loop (same msg id, the remaining attempts, the streams declared) to {@code blocking}. Fails
   * with what the blocking path would throw, not wrapped; a {@code blocking} that refuses the work
   * (shutting down) is an UNKNOWN_OUTCOME. For {@link #publishAsync} and {@link RoundTrip}.
   */
  java.util.concurrent.CompletableFuture<PublishResult> settleAsync(
      ReplyInbox.Pending ack,
      String subject,
      String msgId,
      Headers headers,
      byte[] payload,
      java.util.concurrent.Executor blocking) {
    var out = new java.util.concurrent.CompletableFuture<PublishResult>();
    ack.future()
        .completeOnTimeout(
            null, options.pubAckTimeout().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
        .thenAccept(m -> {
          ack.close();
          PubAckReply answer = PubAckReply.of(Optional.ofNullable(m));
          if (answer instanceof PubAckReply.Stored || answer instanceof PubAckReply.Rejected) {
            settleInto(out, () -> settle(answer, subject, msgId, 1));
            return;
          }
          // no PubAck in time, or no stream: the rest of the blocking send loop
          try {
            onBlocking(
                blocking,
                headers,
                () -> settleInto(out, () -> sendFrom(subject, msgId, headers, payload, answer)));
          } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(
                new MessagingException(
                    MessagingException.Kind.UNKNOWN_OUTCOME,
                    "shutting down: the publish was not settled",
                    e));
          }
        });
    return out;
  }

  private static void settleInto(
      java.util.concurrent.CompletableFuture<PublishResult> out, Supplier<PublishResult> settle) {
    try {
      out.complete(settle.get());
    } catch (RuntimeException e) {
      out.completeExceptionally(e);
    }
  }

  /**
   * Runs {@code work} on {@code blocking} with the MDC's request id of {@code headers}.
   *
   * @throws java.util.concurrent.RejectedExecutionException when {@code blocking} refuses it
   *     (shutting down)
   */
  static void onBlocking(java.util.concurrent.Executor blocking, Headers headers, Runnable work) {
    String rid = headers.getFirst(io.trynow.model.Headers.REQUEST_ID);
    blocking.execute(() -> {
      if (rid != null) {
        org.jboss.logging.MDC.put(io.trynow.model.Headers.MDC_REQUEST_ID, rid);
      }
      try {
        work.run();
      } finally {
        org.jboss.logging.MDC.remove(io.trynow.model.Headers.MDC_REQUEST_ID);
      }
    });
  }

  /** Raw bytes under the same rules; for this package's plumbing and tests. */
  PublishResult publish(String subject, String msgId, String requestId, byte[] payload) {
    return publishWithHeaders(subject, msgId, requestHeaders(requestId), payload);
  }

  /**
   * Publishes with exactly these headers (plus the msg id). For plumbing such as dead-letter replay
   * and for tests that need a msg id or payload the contract never produces; services use {@link
   * #publish(WireMessage)}.
   */
  public PublishResult publishWithHeaders(
      String subject, String msgId, Headers headers, byte[] payload) {
    Objects.requireNonNull(subject, "subject");
    if (msgId == null || msgId.isBlank()) {
      throw new IllegalArgumentException("a JetStream publish needs a deterministic msg id");
    }
    Span span = tracing.publish(subject, headers);
    try (Scope ignored = Tracing.current(span)) {
      PublishResult r = send(subject, msgId, headers, payload);
      span.setAttribute("messaging.message.id", msgId);
      Tracing.end(span, null);
      return r;
    } catch (RuntimeException e) {
      Tracing.end(span, e);
      throw e;
    }
  }

  private PublishResult send(String subject, String msgId, Headers headers, byte[] payload) {
    headers.put(io.trynow.model.Headers.NATS_MSG_ID, msgId);
    return sendFrom(subject, msgId, headers, payload, null);
  }

  /**
   * The send loop: sends the message (its msg id already in {@code headers}) until it is stored,
   * refused or the attempts are spent. With {@code first}, attempt 1 was already sent (by {@link
   * RoundTrip}) and answered {@code first}: it is settled as the loop would, then attempt 2
   * follows.
   */
  PublishResult sendFrom(
      String subject, String msgId, Headers headers, byte[] payload, PubAckReply first) {
    PubAckReply last = first;
    for (int attempt = 1; attempt <= options.attempts(); attempt++) {
      if (attempt > 1 || first == null) {
        last = PubAckReply.of(ask(subject, headers, payload, options.pubAckTimeout()));
      }
      PublishResult stored = settle(last, subject, msgId, attempt);
      if (stored != null) {
        return stored;
      }
    }
    if (last instanceof PubAckReply.NoStream) {
      failure("no_stream");
      throw new MessagingException(
          MessagingException.Kind.REJECTED,
          "not stored: no stream accepts " + subject + " (or JetStream is unavailable)");
    }
    failure("unknown");
    throw new MessagingException(
        MessagingException.Kind.UNKNOWN_OUTCOME,
        "no PubAck for "
            + subject
            + " (msg id "
            + msgId
            + ") after "
            + options.attempts()
            + " attempts");
  }

  /**
   * What the answer to attempt {@code attempt} means: the result when stored; a REJECTED {@link
   * MessagingException} when refused; null when the message must be sent again (after declaring the
   * streams when none listened, which blocks: only a blocking caller may pass such an answer).
   */
  PublishResult settle(PubAckReply reply, String subject, String msgId, int attempt) {
    switch (reply) {
      case PubAckReply.Stored(PublishAck ack) -> {
        count(ack.getStream(), ack.isDuplicate() ? "duplicate" : "stored");
        return new PublishResult(ack.getStream(), ack.getSeqno(), ack.isDuplicate());
      }
      case PubAckReply.Rejected r -> {
        failure("rejected");
        throw new MessagingException(
            MessagingException.Kind.REJECTED,
            "publish to " + subject + " rejected (" + r.apiErrorCode() + "): " + r.description(),
            r.cause());
      }
      case PubAckReply.NoStream n -> {
        declareStreams(subject);
        pause(Duration.ofMillis(50L * attempt)); // a new stream takes a moment to listen
      }
      case PubAckReply.NoAnswer n -> {
        if (attempt < options.attempts()) {
          retries.increment();
          LOG.warnf(
              "no PubAck for %s (msg id %s), attempt %d/%d: %s; resending with the same id",
              subject, msgId, attempt, options.attempts(), n.why());
        }
      }
    }
    return null;
  }

  /**
   * Sends {@code payload} with the shared reply inbox as its reply subject and waits up to {@code
   * wait} for the answer (empty: none in time).
   *
   * @throws MessagingException UNAVAILABLE when the connection is closed (nothing was sent)
   */
  private Optional<Message> ask(String subject, Headers headers, byte[] payload, Duration wait) {
    try (ReplyInbox.Pending pending = openInbox()) {
      try {
        connection().publish(subject, pending.subject(), headers, payload);
      } catch (IllegalStateException e) {
        throw closed(e);
      }
      return pending.await(wait);
    }
  }

  private ReplyInbox.Pending openInbox() {
    try {
      return inbox.open();
    } catch (IllegalStateException e) {
      throw closed(e);
    }
  }

  static MessagingException closed(IllegalStateException e) {
    return new MessagingException(
        MessagingException.Kind.UNAVAILABLE, "NATS connection closed: nothing sent", e);
  }

  /**
   * Core NATS request/reply (no JetStream): the reply, or MessagingException TIMEOUT /
   * NO_RESPONDERS.
   */
  public Message request(String subject, String requestId, byte[] payload, Duration timeout) {
    Headers headers = requestHeaders(requestId);
    tracing.inject(headers);
    Optional<Message> reply = ask(subject, headers, payload, timeout);
    if (reply.isEmpty()) {
      throw new MessagingException(
          MessagingException.Kind.TIMEOUT, "no reply on " + subject + " within " + timeout);
    }
    Message m = reply.get();
    if (m.isStatusMessage() && m.getStatus().getCode() == Status.NO_RESPONDERS_CODE) {
      throw new MessagingException(
          MessagingException.Kind.NO_RESPONDERS, "nobody listens on " + subject);
    }
    return m;
  }

  /**
   * Publishes {@code message} (like {@link #publish(WireMessage)}) with a {@code Trynow-Reply-To}
   * header naming a core inbox, and waits up to {@code timeout} for the consumer's {@link #reply}.
   * Empty when no reply came in time: the message is stored and will be handled; the caller answers
   * "queued" instead.
   */
  public Optional<Message> publishAndAwaitReply(WireMessage message, Duration timeout) {
    return publishAndAwaitReply(message, timeout, at -> {});
  }

  /**
   * {@link #publishAndAwaitReply(WireMessage, Duration)}, calling {@code onStored} with {@link
   * System#nanoTime()} when the PubAck came (before the wait for the reply): how a caller times the
   * two stages apart.
   */
  public Optional<Message> publishAndAwaitReply(
      WireMessage message, Duration timeout, java.util.function.LongConsumer onStored) {
    return publishWithHeadersAndAwaitReply(
        message.subject(),
        message.msgId(),
        requestHeaders(message.requestId()),
        Json.write(message),
        timeout,
        onStored);
  }

  /**
   * {@link #publishAndAwaitReply(WireMessage, Duration, java.util.function.LongConsumer)} without
   * blocking the caller (an event loop may call it): the same message, msg id, retries and
   * outcomes, as a stage. The PubAck and the reply are awaited together, neither by a thread; the
   * reply completes the stage as soon as it comes (it proves the message stored), {@code onStored}
   * is called when the PubAck comes, and only an unusual path (no PubAck in time, no stream, the
   * inbox not subscribed yet) continues on {@code blocking}, as the blocking method would.
   *
   * @return the reply, or empty when none came within {@code timeout} once stored; fails with
   *     {@link MessagingException} as the blocking method throws it
   */
  public java.util.concurrent.CompletableFuture<Optional<Message>> publishAndAwaitReplyAsync(
      WireMessage message,
      Duration timeout,
      java.util.function.LongConsumer onStored,
      java.util.concurrent.Executor blocking) {
    return publishWithHeadersAndAwaitReplyAsync(
        message.subject(),
        message.msgId(),
        requestHeaders(message.requestId()),
        Json.write(message),
        timeout,
        onStored,
        blocking);
  }

  /**
   * {@link #publishAndAwaitReplyAsync} with exactly these headers, msg id and payload: for a
   * service's startup warm-up (the same round trip to a subject of its own, answered by itself) and
   * tests; services publish messages of the contract.
   */
  public java.util.concurrent.CompletableFuture<Optional<Message>>
      publishWithHeadersAndAwaitReplyAsync(
          String subject,
          String msgId,
          Headers headers,
          byte[] payload,
          Duration timeout,
          java.util.function.LongConsumer onStored,
          java.util.concurrent.Executor blocking) {
    Connection c = inbox.ready();
    if (c == null) {
      // not connected, or the inbox not subscribed yet: the blocking path waits for both
      return java.util.concurrent.CompletableFuture.supplyAsync(
          () ->
              publishWithHeadersAndAwaitReply(subject, msgId, headers, payload, timeout, onStored),
          blocking);
    }
    RoundTrip trip = new RoundTrip(this, subject, msgId, headers, payload, onStored, blocking);
    return trip.start(c, inbox, tracing, Math.max(0, timeout.toNanos()));
  }

  /**
   * {@link #publishAndAwaitReply(WireMessage, Duration, java.util.function.LongConsumer)} with
   * exactly these headers, msg id and payload: for tests that need a msg id the contract never
   * produces (a redelivered request); services use the message form.
   */
  public Optional<Message> publishWithHeadersAndAwaitReply(
      String subject,
      String msgId,
      Headers headers,
      byte[] payload,
      Duration timeout,
      java.util.function.LongConsumer onStored) {
    ReplyInbox.Pending pending = openInbox();
    try {
      headers.put(io.trynow.model.Headers.REPLY_TO, pending.subject());
      long start = System.nanoTime();
      publishWithHeaders(subject, msgId, headers, payload);
      long stored = System.nanoTime();
      onStored.accept(stored);
      Duration left = timeout.minusNanos(stored - start);
      return pending.await(left);
    } finally {
      pending.close();
    }
  }

  /**
   * Subscribes the reply inbox of {@link #publishAndAwaitReply} now instead of on the first call
   * (one round trip to the server), so that the first visitor does not pay for it.
   *
   * @throws MessagingException UNAVAILABLE when NATS is not connected (the first call opens it)
   */
  public void openReplyInbox() {
    openInbox().close();
  }

  /**
   * Answers a delivery that carries {@code Trynow-Reply-To} (core publish, fire and forget; the
   * caller may have stopped waiting). Returns false when nobody asked for a reply.
   */
  public boolean reply(Delivery delivery, byte[] payload) {
    String to = delivery.replyTo();
    if (to == null) {
      return false;
    }
    Headers headers = new Headers();
    if (delivery.requestId() != null) {
      headers.put(io.trynow.model.Headers.REQUEST_ID, delivery.requestId());
    }
    tracing.inject(headers);
    connection().publish(to, headers, payload);
    return true;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void declareStreams(String subject) {
    if (streams == null) {
      return;
    }
    try {
      streams.declareAll();
    } catch (Exception e) {
      LOG.warnf("no stream for %s, and declaring the streams failed: %s", subject, e.toString());
    }
  }

  private Connection connection() {
    try {
      return connection.get();
    } catch (MessagingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MessagingException(MessagingException.Kind.UNAVAILABLE, "NATS not connected", e);
    }
  }

  /** Publish counters by stream and result, built once each (the publish path is hot). */
  private final java.util.concurrent.ConcurrentMap<String, Counter> published =
      new java.util.concurrent.ConcurrentHashMap<>();

  private void count(String stream, String result) {
    published
        .computeIfAbsent(
            stream + '\u0000' + result,
            k ->
                Counter.builder(MetricNames.PUBLISHED)
                    .description("JetStream publishes acknowledged, by stream and result")
                    .tag(MetricNames.TAG_STREAM, stream)
                    .tag(MetricNames.TAG_RESULT, result)
                    .register(meters))
        .increment();
  }

  private void failure(String reason) {
    Counter.builder(MetricNames.PUBLISH_FAILURES)
        .description("JetStream publishes given up")
        .tag(MetricNames.TAG_REASON, reason)
        .register(meters)
        .increment();
  }

  /** {@code Trynow-Request-Id}: {@code requestId}, else the MDC's, else none. */
  private static Headers requestHeaders(String requestId) {
    Headers headers = new Headers();
    String rid = requestId != null ? requestId : currentRequestId();
    if (rid != null) {
      headers.put(io.trynow.model.Headers.REQUEST_ID, rid);
    }
    return headers;
  }

  static String currentRequestId() {
    Object v = MDC.get(io.trynow.model.Headers.MDC_REQUEST_ID);
    return v == null ? null : v.toString();
  }
}
