package io.trynow.platform.messaging;

import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.trynow.model.Headers;
import io.trynow.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One delivery of a JetStream message to a {@link MessageHandler}: payload, headers and delivery
 * metadata. Acknowledgement is not exposed: the handler's {@link Outcome} decides it.
 */
public final class Delivery {

  private final Message message;
  private final NatsJetStreamMetaData meta;
  private final int maxDeliver;
  private final long receivedNanos;

  Delivery(Message message, int maxDeliver) {
    this(message, maxDeliver, System.nanoTime());
  }

  /**
   * @param receivedNanos {@link System#nanoTime()} when the message was taken for its handler
   */
  Delivery(Message message, int maxDeliver, long receivedNanos) {
    this.message = message;
    this.meta = message.metaData();
    this.maxDeliver = maxDeliver;
    this.receivedNanos = receivedNanos;
  }

  public String subject() {
    return message.getSubject();
  }

  public byte[] data() {
    return message.getData();
  }

  public String text() {
    return new String(message.getData(), StandardCharsets.UTF_8);
  }

  /**
   * The payload as JSON of {@code type} ({@link Json}); a malformed payload throws {@link
   * IllegalArgumentException} — catch it and return {@link Outcome#giveUp}.
   */
  public <T> T json(Class<T> type) {
    return Json.read(message.getData(), type);
  }

  /** The first value of header {@code name}, or null. */
  public String header(String name) {
    return message.hasHeaders() ? message.getHeaders().getFirst(name) : null;
  }

  /** All headers (a copy). */
  public Map<String, List<String>> headers() {
    Map<String, List<String>> out = new TreeMap<>();
    if (message.hasHeaders()) {
      message.getHeaders().entrySet().forEach(e -> out.put(e.getKey(), List.copyOf(e.getValue())));
    }
    return out;
  }

  /** {@code Trynow-Request-Id}, or null. */
  public String requestId() {
    return header(Headers.REQUEST_ID);
  }

  /** {@code Nats-Msg-Id}, or null. */
  public String msgId() {
    return header(Headers.NATS_MSG_ID);
  }

  /**
   * {@code Trynow-Reply-To}: the core inbox of a caller waiting for an answer ({@link
   * Publisher#publishAndAwaitReply}); answer with {@link Publisher#reply}. Null if nobody waits.
   */
  public String replyTo() {
    return header(Headers.REPLY_TO);
  }

  /** {@code Trynow-Replay-Of}: set when this message is a replayed dead letter, else null. */
  public String replayOf() {
    return header(Headers.REPLAY_OF);
  }

  public String stream() {
    return meta.getStream();
  }

  public String consumer() {
    return meta.getConsumer();
  }

  /** 1 on the first delivery. */
  public long deliveryCount() {
    return meta.deliveredCount();
  }

  public long streamSequence() {
    return meta.streamSequence();
  }

  /** When the stream stored the message (the server's clock; microsecond resolution). */
  public java.time.Instant storedAt() {
    return meta.timestamp().toInstant();
  }

  /**
   * {@link System#nanoTime()} when this process took the message for its handler: received on the
   * handler's own thread (a free slot), or handed to a new handler thread by the fetch loop; the
   * handler's start minus this is that hand-off (near zero on the first path).
   */
  public long receivedNanos() {
    return receivedNanos;
  }

  /** True on the last delivery the consumer allows: a retry-later now becomes a give-up. */
  public boolean isLastDelivery() {
    return meta.deliveredCount() >= maxDeliver;
  }

  Message message() {
    return message;
  }

  @Override
  public String toString() {
    return "Delivery[" + subject() + " seq=" + streamSequence() + " n=" + deliveryCount() + "]";
  }
}
