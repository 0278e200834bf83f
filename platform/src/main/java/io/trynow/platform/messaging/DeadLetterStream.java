package io.trynow.platform.messaging;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import io.trynow.model.Subjects;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reading and changing JetStream for {@link DeadLetters}: pages, single dead letters, the count,
 * deletes, the stream's bound, and the originals in their own streams. Every failure is a {@link
 * MessagingException} that says whether the server refused ({@code REJECTED}) or could not be asked
 * ({@code UNAVAILABLE}); "no such message" is an empty answer, not an error.
 */
final class DeadLetterStream {

  private static final Logger LOG = Logger.getLogger(DeadLetterStream.class);
  private static final int NO_MESSAGE_FOUND = 10037;

  /**
   * JetStream API error: no such stream. {@code TRYNOW_DLQ} is declared by the first service that
   * starts a consumer; a reader that comes first (the gateway's gauges at startup) finds none
   * stored.
   */
  private static final int STREAM_NOT_FOUND = 10059;

  /** Message delete failed; what nats-server answers when the sequence does not exist. */
  private static final int DELETE_FAILED = 10057;

  static final int MAX_PAGE = 500;

  private final Supplier<Connection> connection;
  private final Map<String, RetentionPolicy> retention = new ConcurrentHashMap<>();

  DeadLetterStream(Supplier<Connection> connection) {
    this.connection = Objects.requireNonNull(connection);
  }

  /** Up to {@code limit} (1..500) dead letters with a sequence above {@code afterSequence}. */
  DeadLetterPage list(long afterSequence, int limit) {
    return list(afterSequence, limit, ">");
  }

  /**
   * Like {@link #list(long, int)}, only dead letters whose original subject matches {@code
   * originalSubject} (wildcards allowed, e.g. {@code trynow.provision.>}).
   */
  DeadLetterPage list(long afterSequence, int limit, String originalSubject) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be in [1, " + MAX_PAGE + "]");
    }
    JetStreamManagement jsm = jsm();
    List<DeadLetter> items = new ArrayList<>();
    long next = Math.max(0, afterSequence) + 1;
    try {
      while (items.size() < limit) {
        MessageInfo mi =
            jsm.getNextMessage(Subjects.STREAM_DLQ, next, Subjects.deadLetter(originalSubject));
        items.add(toDeadLetter(mi));
        next = mi.getSeq() + 1;
      }
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NO_MESSAGE_FOUND && e.getApiErrorCode() != STREAM_NOT_FOUND) {
        throw rejected("list dead letters", e);
      }
    } catch (IOException e) {
      throw unavailable("list dead letters", e);
    }
    long nextAfter = items.size() == limit ? items.get(items.size() - 1).sequence() : 0;
    return new DeadLetterPage(List.copyOf(items), nextAfter);
  }

  /** The dead letter with this {@code TRYNOW_DLQ} sequence, if it exists. */
  Optional<DeadLetter> show(long sequence) {
    return fetch(Subjects.STREAM_DLQ, sequence).map(DeadLetterStream::toDeadLetter);
  }

  /**
   * Whether storing one more dead letter of about {@code size} bytes pushes the oldest out (the
   * stream is at its bound and discards old). Read just before the store; with replicas storing at
   * the same instant the count may be off by one, never by more.
   */
  boolean atBound(int size) {
    try {
      StreamInfo si = jsm().getStreamInfo(Subjects.STREAM_DLQ);
      StreamConfiguration c = si.getConfiguration();
      StreamState st = si.getStreamState();
      boolean full =
          (c.getMaxMsgs() > 0 && st.getMsgCount() >= c.getMaxMsgs())
              || (c.getMaxBytes() > 0 && st.getByteCount() + size > c.getMaxBytes());
      return full && c.getDiscardPolicy() == DiscardPolicy.Old;
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.debugf("dead-letter stream state unknown: %s", e.toString());
      return false;
    }
  }

  /** Dead letters stored now. */
  long count() {
    try {
      return jsm().getStreamInfo(Subjects.STREAM_DLQ).getStreamState().getMsgCount();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
        return 0;
      }
      throw rejected("count dead letters", e);
    } catch (IOException e) {
      throw unavailable("count dead letters", e);
    }
  }

  /** Deletes a dead letter; false if it did not exist. */
  boolean delete(long sequence) {
    try {
      return jsm().deleteMessage(Subjects.STREAM_DLQ, sequence, false);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE_FOUND || e.getApiErrorCode() == DELETE_FAILED) {
        return false;
      }
      throw rejected("delete dead letter " + sequence, e);
    } catch (IOException e) {
      throw unavailable("delete dead letter " + sequence, e);
    }
  }

  /**
   * Removes a delivered original from its work-queue stream, where it would otherwise stay; an
   * original already gone is not an error.
   */
  void removeOriginal(String stream, long sequence) {
    try {
      jsm().deleteMessage(stream, sequence, false);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NO_MESSAGE_FOUND && e.getApiErrorCode() != DELETE_FAILED) {
        throw rejected("remove " + stream + "/" + sequence, e);
      }
    } catch (IOException e) {
      throw unavailable("remove " + stream + "/" + sequence, e);
    }
  }

  /** Headers never copied between original, dead letter and replay. */
  static boolean isPlumbingHeader(String name) {
    return name.equalsIgnoreCase(io.trynow.model.Headers.NATS_MSG_ID)
        || name.regionMatches(true, 0, "Nats-Expected-", 0, 14)
        || name.regionMatches(true, 0, "Trynow-Dlq-", 0, 11)
        || name.equalsIgnoreCase(io.trynow.model.Headers.REPLAY_OF);
  }

  static DeadLetter toDeadLetter(MessageInfo mi) {
    Map<String, List<String>> headers = new TreeMap<>();
    Headers h = mi.getHeaders();
    if (h != null) {
      h.entrySet().forEach(e -> headers.put(e.getKey(), List.copyOf(e.getValue())));
    }
    String original = first(h, io.trynow.model.Headers.DLQ_SUBJECT);
    if (original == null && mi.getSubject().startsWith(Subjects.DLQ_PREFIX)) {
      original = mi.getSubject().substring(Subjects.DLQ_PREFIX.length());
    }
    String time = first(h, io.trynow.model.Headers.DLQ_TIME);
    return new DeadLetter(
        mi.getSeq(),
        original,
        first(h, io.trynow.model.Headers.DLQ_STREAM),
        parseLong(first(h, io.trynow.model.Headers.DLQ_SEQUENCE)),
        parseLong(first(h, io.trynow.model.Headers.DLQ_DELIVERIES)),
        first(h, io.trynow.model.Headers.DLQ_ERROR),
        time != null ? Instant.parse(time) : mi.getTime().toInstant(),
        first(h, io.trynow.model.Headers.REQUEST_ID),
        Map.copyOf(headers),
        mi.getData() == null ? new byte[0] : mi.getData());
  }

  private static String first(Headers h, String name) {
    return h == null ? null : h.getFirst(name);
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  Optional<MessageInfo> fetch(String stream, long sequence) {
    try {
      return Optional.of(jsm().getMessage(stream, sequence));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE_FOUND) {
        return Optional.empty();
      }
      throw rejected("get " + stream + "/" + sequence, e);
    } catch (IOException e) {
      throw unavailable("get " + stream + "/" + sequence, e);
    }
  }

  RetentionPolicy retention(String stream) {
    RetentionPolicy known = retention.get(stream);
    if (known != null) {
      return known;
    }
    try {
      RetentionPolicy p = jsm().getStreamInfo(stream).getConfiguration().getRetentionPolicy();
      retention.put(stream, p);
      return p;
    } catch (JetStreamApiException e) {
      throw rejected("stream info " + stream, e);
    } catch (IOException e) {
      throw unavailable("stream info " + stream, e);
    }
  }

  private JetStreamManagement jsm() {
    try {
      return connection.get().jetStreamManagement();
    } catch (IOException e) {
      throw unavailable("JetStream management", e);
    } catch (MessagingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw unavailable("NATS not connected", e);
    }
  }

  static MessagingException rejected(String what, JetStreamApiException e) {
    return new MessagingException(
        MessagingException.Kind.REJECTED, what + ": " + e.getMessage(), e);
  }

  static MessagingException unavailable(String what, Exception e) {
    return new MessagingException(
        MessagingException.Kind.UNAVAILABLE, what + ": " + e.getMessage(), e);
  }
}
