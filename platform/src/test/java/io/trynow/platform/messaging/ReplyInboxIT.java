package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Message;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared reply inbox completes a reply's future on the NATS reader thread that read it ({@link
 * ReaderDelivery}): no dispatcher thread is woken in between, which under sparse traffic is a
 * thread wake-up less on the gateway's acquire path. Replies still reach only their own waiter.
 */
@WithRealServers(Kind.NATS)
class ReplyInboxIT {

  @Test
  void aReplyCompletesItsFutureOnTheReaderThread(NatsServer nats) throws Exception {
    try (Fixture f = new Fixture(nats)) {
      ReplyInbox inbox = new ReplyInbox(() -> f.connection);
      for (int i = 0; i < 3; i++) {
        try (ReplyInbox.Pending mine = inbox.open();
            ReplyInbox.Pending other = inbox.open()) {
          // Only the callback is waited on: a thread blocked in get() on the reply's own future
          // helps run its dependents when it wakes, so the callback could run on the test thread.
          CompletableFuture<Seen> where = new CompletableFuture<>();
          mine.future()
              .thenAccept(m -> where.complete(new Seen(m, Thread.currentThread().getStackTrace())));
          f.connection.publish(mine.subject(), ("r" + i).getBytes());
          Seen seen = where.get(5, TimeUnit.SECONDS);
          assertThat(new String(seen.message().getData())).isEqualTo("r" + i);
          assertThat(Arrays.stream(seen.stack()).map(e -> e.getClassName()))
              .as("classes on the stack that completed the reply")
              .anyMatch(c -> c.endsWith("NatsConnectionReader"))
              .noneMatch(c -> c.endsWith("NatsDispatcher"));
          assertThat(other.await(Duration.ofMillis(50))).isEmpty();
        }
      }
    }
  }

  private record Seen(Message message, StackTraceElement[] stack) {}
}
