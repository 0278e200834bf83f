package io.trynow.platform.messaging;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.NUID;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One wildcard inbox subscription ({@code _INBOX.<nuid>.*}) shared by every caller waiting for a
 * reply, with a future per token: no subscribe/unsubscribe per request. A reply completes its
 * future on the NATS reader thread that read it ({@link ReaderDelivery}), so a caller waiting on it
 * is woken by that thread directly, not by a dispatcher thread woken first.
 */
final class ReplyInbox {

  private final Supplier<Connection> connection;
  private final Map<String, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();
  private volatile Subscribed subscribed;

  ReplyInbox(Supplier<Connection> connection) {
    this.connection = connection;
  }

  /** A reply subject and its future; close it when done waiting. */
  final class Pending implements AutoCloseable {
    private final String token;
    private final String subject;
    private final CompletableFuture<Message> future = new CompletableFuture<>();

    Pending(String token, String subject) {
      this.token = token;
      this.subject = subject;
    }

    String subject() {
      return subject;
    }

    /**
     * Completed by the reply, on the connection's reader thread ({@link ReaderDelivery}; else its
     * dispatcher's): what depends on it must not block.
     */
    CompletableFuture<Message> future() {
      return future;
    }

    Optional<Message> await(Duration timeout) {
      try {
        return Optional.of(future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        return Optional.empty();
      } catch (ExecutionException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    @Override
    public void close() {
      waiting.remove(token);
    }
  }

  Pending open() {
    return open(ensureSubscribed());
  }

  /**
   * The connection the inbox is subscribed on, if it is connected now; else null (nothing waits:
   * the caller that cannot block takes the blocking path on another thread).
   */
  Connection ready() {
    Subscribed now = subscribed;
    return now != null && now.connection.getStatus() == Connection.Status.CONNECTED
        ? now.connection
        : null;
  }

  /**
   * A pending reply on the subscription of {@code c} without waiting for anything, or null when the
   * inbox is not (or no longer) subscribed on it.
   */
  Pending openOn(Connection c) {
    Subscribed now = subscribed;
    return now != null && now.connection == c ? open(now.prefix) : null;
  }

  private Pending open(String p) {
    String token = NUID.nextGlobal();
    Pending pending = new Pending(token, p + token);
    waiting.put(token, pending.future);
    return pending;
  }

  /**
   * The inbox prefix on the current connection: subscribed on first use, and again when the
   * connection source hands out another connection (a new one after the old one was closed).
   */
  private String ensureSubscribed() {
    Connection c = connection.get();
    Subscribed now = subscribed;
    if (now != null && now.connection == c) {
      return now.prefix;
    }
    synchronized (this) {
      now = subscribed;
      if (now == null || now.connection != c) {
        String base = c.createInbox() + ".";
        Dispatcher d = c.createDispatcher();
        // the replies complete their futures on the reader thread (no dispatcher wake-up), or,
        // where jnats does not let us, on the dispatcher's thread
        ReaderDelivery.install(d.subscribe(base + "*", this::onReply), this::onReply);
        try {
          c.flush(Duration.ofSeconds(2));
        } catch (TimeoutException e) {
          // Still subscribed: the SUB reaches the server before any publish we send afterwards.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        now = new Subscribed(c, base);
        subscribed = now;
      }
      return now.prefix;
    }
  }

  private record Subscribed(Connection connection, String prefix) {}

  private void onReply(Message m) {
    String subject = m.getSubject();
    String token = subject.substring(subject.lastIndexOf('.') + 1);
    CompletableFuture<Message> f = waiting.remove(token);
    if (f != null) {
      f.complete(m);
    }
  }
}
