package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamInfo;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every stream is bounded (issue 14): a storm of failures never grows a stream past its configured
 * bound. Dead letters and events keep the newest (discard old), dead letters count what they
 * dropped; work queues refuse what does not fit (discard new) and lose nothing already queued.
 */
@WithRealServers(Kind.NATS)
class StreamBoundsIT {

  private static final int DLQ_MAX = 20;
  private static final int EVENTS_MAX = 50;
  private static final int PROVISION_MAX = 30;

  private Fixture f;

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    f = new Fixture(nats);
    new Streams(
            f.connection,
            new Streams.Options(
                Duration.ofMinutes(2),
                Duration.ofHours(24),
                Duration.ofDays(14),
                1,
                StorageType.File,
                Map.of(
                    Subjects.STREAM_DLQ,
                    new Streams.Bound(DLQ_MAX, 1L << 20, DiscardPolicy.Old),
                    Subjects.STREAM_EVENTS,
                    new Streams.Bound(EVENTS_MAX, 1L << 20, DiscardPolicy.Old),
                    Subjects.STREAM_PROVISION,
                    new Streams.Bound(PROVISION_MAX, 1L << 20, DiscardPolicy.New))))
        .declareAll();
    var jsm = f.connection.jetStreamManagement();
    for (String stream :
        List.of(Subjects.STREAM_DLQ, Subjects.STREAM_EVENTS, Subjects.STREAM_PROVISION)) {
      jsm.purgeStream(stream);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    f.streams.declareAll(); // back to the defaults for the other tests of this server
    f.close();
  }

  @Test
  void aStormOfDeadLettersNeverGrowsTheStreamPastItsBoundKeepsTheNewestAndCountsTheDropped() {
    String tpl = Fixture.unique("storm");
    String subject = Subjects.provision(tpl);
    int storm = 3 * DLQ_MAX;
    AtomicLong maxSeen = new AtomicLong();
    f.consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, Fixture.unique("storm"), subject)
            .concurrency(1)
            .build(),
        d -> {
          maxSeen.accumulateAndGet(messages(Subjects.STREAM_DLQ), Math::max);
          return Outcome.giveUp("image missing");
        });
    List<Long> published = new ArrayList<>();
    for (int i = 0; i < storm; i++) {
      // one at a time: the provision stream itself is bounded too
      published.add(
          f.publisher
              .publish(subject, tpl + ":" + i, null, ("n" + i).getBytes(StandardCharsets.UTF_8))
              .sequence());
      int n = i;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> f.counter(MetricNames.DEAD_LETTERS) >= n + 1);
    }
    assertThat(messages(Subjects.STREAM_DLQ)).isEqualTo(DLQ_MAX);
    assertThat(maxSeen.get()).isLessThanOrEqualTo(DLQ_MAX);
    List<DeadLetter> kept = f.deadLetters.list(0, 500, subject).items();
    assertThat(kept).hasSize(DLQ_MAX);
    // the newest are kept: the last DLQ_MAX originals, in order
    assertThat(kept)
        .extracting(DeadLetter::originalSequence)
        .containsExactlyElementsOf(published.subList(storm - DLQ_MAX, storm));
    assertThat(f.counter(MetricNames.DEAD_LETTERS_DROPPED)).isEqualTo(storm - DLQ_MAX);
  }

  @Test
  void eventsKeepTheNewestWithinTheirBound() {
    String id = "i" + "c".repeat(19);
    for (int i = 0; i < 4 * EVENTS_MAX; i++) {
      f.publisher.publish(
          "trynow.events.instance." + id + ".ready",
          id + ":" + i,
          null,
          ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(messages(Subjects.STREAM_EVENTS)).isEqualTo(EVENTS_MAX);
    StreamInfo info = info(Subjects.STREAM_EVENTS);
    assertThat(info.getStreamState().getLastSequence()).isGreaterThanOrEqualTo(4L * EVENTS_MAX);
  }

  @Test
  void aFullWorkQueueRefusesNewMessagesAndKeepsWhatItHolds() {
    String subject = Subjects.provision(Fixture.unique("full"));
    long first = f.publisher.publish(subject, "full:0", null, new byte[] {1}).sequence();
    for (int i = 1; i < PROVISION_MAX; i++) {
      f.publisher.publish(subject, "full:" + i, null, new byte[] {1});
    }
    assertThatThrownBy(() -> f.publisher.publish(subject, "full:over", null, new byte[] {1}))
        .isInstanceOf(MessagingException.class);
    assertThat(messages(Subjects.STREAM_PROVISION)).isEqualTo(PROVISION_MAX);
    assertThat(info(Subjects.STREAM_PROVISION).getStreamState().getFirstSequence())
        .isEqualTo(first);
  }

  @Test
  void badBoundSettingsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> StreamBounds.from(Map.of("dlq", bound(10L, null, null))))
        .hasMessageContaining("trynow.messaging.bounds.dlq");
    assertThatThrownBy(() -> StreamBounds.from(Map.of("events", bound(0L, null, null))))
        .hasMessageContaining("trynow.messaging.bounds.events.max-messages");
    assertThatThrownBy(() -> StreamBounds.from(Map.of("acquire", bound(null, null, "sideways"))))
        .hasMessageContaining("trynow.messaging.bounds.acquire.discard");
    assertThat(StreamBounds.from(Map.of("dead-letters", bound(5L, null, "old"))))
        .containsEntry(Subjects.STREAM_DLQ, new Streams.Bound(5, 64L << 20, DiscardPolicy.Old));
  }

  private static MessagingConfig.Bound bound(Long msgs, Long bytes, String discard) {
    return new MessagingConfig.Bound() {
      @Override
      public java.util.Optional<Long> maxMessages() {
        return java.util.Optional.ofNullable(msgs);
      }

      @Override
      public java.util.Optional<Long> maxBytes() {
        return java.util.Optional.ofNullable(bytes);
      }

      @Override
      public java.util.Optional<String> discard() {
        return java.util.Optional.ofNullable(discard);
      }
    };
  }

  private StreamInfo info(String stream) {
    try {
      return f.connection.jetStreamManagement().getStreamInfo(stream);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long messages(String stream) {
    return info(stream).getStreamState().getMsgCount();
  }
}
