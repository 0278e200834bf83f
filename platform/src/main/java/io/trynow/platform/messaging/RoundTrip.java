package io.trynow.platform.messaging;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.trynow.platform.tracing.Tracing;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * One {@link Publisher#publishAndAwaitReplyAsync} without a thread waiting for it: the message goes
 * out with two pending answers on the shared reply inbox — the PubAck and the consumer's reply —
 * and whichever comes first moves it on. A reply also proves the message was stored (the consumer
 * read it from the stream), so it completes the round trip even before the PubAck. The PubAck is
 * settled as {@link Publisher#sendFrom} would (counted, or REJECTED); one that does not come in
 * time or says "no stream" hands the rest of the send loop (same msg id, the remaining attempts,
 * the streams declared) to {@code blocking}, exactly the blocking path's steps. The reply wait ends
 * at the deadline once the message is stored; never before the publish is settled.
 */
final class RoundTrip {

  private final Publisher publisher;
  private final String subject;
  private final String msgId;
  private final Headers headers;
  private final byte[] payload;
  private final LongConsumer onStored;
  private final Executor blocking;
  private final CompletableFuture<Optional<Message>> result = new CompletableFuture<>();
  private ReplyInbox.Pending reply;
  private Span span;
  private boolean stored;
  private boolean deadlinePassed;

  RoundTrip(
      Publisher publisher,
      String subject,
      String msgId,
      Headers headers,
      byte[] payload,
      LongConsumer onStored,
      Executor blocking) {
    this.publisher = publisher;
    this.subject = subject;
    this.msgId = msgId;
    this.headers = headers;
    this.payload = payload;
    this.onStored = onStored;
    this.blocking = blocking;
  }

  /**
   * Sends the message on {@code c} (the inbox's connected connection) and returns the reply to
   * come, or empty when none came by {@code waitNanos}; fails with a {@link MessagingException} as
   * the blocking path would throw it.
   */
  CompletableFuture<Optional<Message>> start(
      Connection c, ReplyInbox inbox, Tracing tracing, long waitNanos) {
    reply = inbox.openOn(c);
    ReplyInbox.Pending ack = inbox.openOn(c);
    if (reply == null || ack == null) {
      // re-subscribed meanwhile: the blocking path knows the new subscription
      if (ack != null) {
        ack.close();
      }
      if (reply != null) {
        reply.close();
        reply = null;
      }
      return onBlockingThread(
          () ->
              result.complete(
                  publisher.publishWithHeadersAndAwaitReply(
                      subject,
                      msgId,
                      headers,
                      payload,
                      java.time.Duration.ofNanos(waitNanos),
                      onStored)),
          MessagingException.Kind.UNAVAILABLE);
    }
    headers.put(io.trynow.model.Headers.REPLY_TO, reply.subject());
    span = tracing.publish(subject, headers);
    headers.put(io.trynow.model.Headers.NATS_MSG_ID, msgId);
    try {
      c.publish(subject, ack.subject(), headers, payload);
    } catch (IllegalStateException e) {
      ack.close();
      reply.close();
      MessagingException closed = Publisher.closed(e);
      Tracing.end(span, closed);
      return CompletableFuture.failedFuture(closed);
    }
    reply
        .future()
        .completeOnTimeout(null, waitNanos, TimeUnit.NANOSECONDS)
        .thenAccept(m -> {
          if (m == null) {
            deadline();
          } else {
            finish(Optional.of(m));
          }
        });
    publisher
        .settleAsync(ack, subject, msgId, headers, payload, blocking)
        .whenComplete((r, e) -> settled(e));
    return result;
  }

  /** The publish is settled: stored ({@code failure} null), or failed with {@code failure}. */
  private void settled(Throwable failure) {
    Tracing.end(span, failure);
    if (failure != null) {
      fail(failure);
      return;
    }
    boolean done;
    synchronized (this) {
      stored = true;
      done = deadlinePassed;
    }
    onStored.accept(System.nanoTime());
    if (done) {
      finish(Optional.empty());
    }
  }

  /** The reply wait is over: ends the round trip if the message is stored, else when it is. */
  private void deadline() {
    boolean done;
    synchronized (this) {
      deadlinePassed = true;
      done = stored;
    }
    if (done) {
      finish(Optional.empty());
    }
  }

  private void finish(Optional<Message> answer) {
    reply.close();
    result.complete(answer);
  }

  private void fail(Throwable e) {
    if (reply != null) {
      reply.close();
    }
    // a reply that came first stands: the consumer read the message from the stream
    result.completeExceptionally(e);
  }

  /** Runs {@code work} on the blocking executor; {@code ifRefused}: what a refusal means. */
  private CompletableFuture<Optional<Message>> onBlockingThread(
      Runnable work, MessagingException.Kind ifRefused) {
    try {
      Publisher.onBlocking(
          blocking,
          headers,
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              fail(e);
            }
          });
    } catch (RejectedExecutionException e) {
      fail(new MessagingException(ifRefused, "shutting down: the publish was not settled", e));
    }
    return result;
  }
}
