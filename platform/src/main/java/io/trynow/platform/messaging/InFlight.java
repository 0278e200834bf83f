package io.trynow.platform.messaging;

import io.nats.client.Message;
import java.time.Duration;
import org.jboss.logging.Logger;

/** A message whose handler runs; settled (acked, naked or termed) exactly once. */
final class InFlight {

  /** How a message is settled. */
  enum Settle {
    ACK,
    NAK,
    TERM
  }

  private static final Logger LOG = Logger.getLogger(InFlight.class);
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

  final Message message;
  final long dispatchedNanos = System.nanoTime();
  volatile Thread thread;
  private long lastBeatNanos = System.nanoTime();
  private boolean settled;

  InFlight(Message message) {
    this.message = message;
  }

  synchronized boolean isSettled() {
    return settled;
  }

  synchronized void heartbeatIfDue(long now, long every) {
    if (!settled && now - lastBeatNanos >= every) {
      lastBeatNanos = now;
      try {
        message.inProgress();
      } catch (RuntimeException e) {
        LOG.debugf("in-progress failed: %s", e);
      }
    }
  }

  /** False if it was settled already (handed back at shutdown). */
  synchronized boolean settle(Settle how, Duration delay) {
    if (settled) {
      return false;
    }
    settled = true;
    try {
      switch (how) {
        case ACK -> message.ackSync(ACK_TIMEOUT);
        case NAK -> {
          if (delay == null) {
            message.nak();
          } else {
            message.nakWithDelay(delay);
          }
        }
        case TERM -> message.term();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The server will redeliver after AckWait: the handler is idempotent.
      LOG.warnf("%s of %s not confirmed: %s", how, message.getSubject(), e.toString());
    }
    return true;
  }
}
