package io.trynow.platform.messaging;

import io.nats.client.Message;
import io.nats.client.Subscription;
import java.lang.reflect.Method;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Hands a core subscription's messages to a callback on the connection's reader thread, before they
 * would be queued for the subscription's dispatcher thread: one thread wake-up less per message
 * (the dispatcher's), which under sparse traffic is ~0.5–1 ms here (issue #15). jnats has this hook
 * for its own JetStream status handling ({@code NatsSubscription.setBeforeQueueProcessor} — a
 * message for which it answers false is not queued) but does not expose it: it is reached by
 * reflection, and where that fails (another jnats) the subscription keeps its dispatcher thread.
 *
 * <p>The callback must not block or wait for NATS (the reader is the thread that would bring the
 * answer): it only completes futures; what runs on their completion must not block either.
 */
final class ReaderDelivery {

  private static final Logger LOG = Logger.getLogger(ReaderDelivery.class);
  private static final Method SET_BEFORE_QUEUE = find();

  private ReaderDelivery() {}

  private static Method find() {
    try {
      Class<?> c = Class.forName("io.nats.client.impl.NatsSubscription");
      Method m = c.getDeclaredMethod("setBeforeQueueProcessor", Function.class);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.infof("reply inbox: replies go through a dispatcher thread (%s)", e.toString());
      return null;
    }
  }

  /**
   * Delivers the messages of {@code sub} to {@code onMessage} on the reader thread from now on.
   *
   * @return false when it could not be set up: they keep going to the subscription's dispatcher
   */
  static boolean install(Subscription sub, Consumer<Message> onMessage) {
    if (SET_BEFORE_QUEUE == null || !SET_BEFORE_QUEUE.getDeclaringClass().isInstance(sub)) {
      return false;
    }
    Function<Object, Boolean> direct =
        m -> {
          try {
            onMessage.accept((Message) m);
          } catch (RuntimeException e) {
            // never into the reader's loop (it would reconnect)
            LOG.warnf("reply inbox callback failed: %s", e.toString());
          }
          return Boolean.FALSE;
        };
    try {
      SET_BEFORE_QUEUE.invoke(sub, direct);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.infof("reply inbox: replies go through a dispatcher thread (%s)", e.toString());
      return false;
    }
  }
}
