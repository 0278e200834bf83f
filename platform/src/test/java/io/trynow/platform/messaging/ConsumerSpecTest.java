package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsumerSpecTest {

  @Test
  void serverBackoffHasFewerStepsThanMaxDeliverAndNeverUndercutsAckWait() {
    ConsumerSpec spec =
        ConsumerSpec.builder("S", "d", "s.>")
            .ackWait(Duration.ofSeconds(10))
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3))
            .maxDeliver(3)
            .build();
    ConsumerConfiguration cc = spec.toConfiguration();
    assertThat(cc.getAckPolicy()).isEqualTo(AckPolicy.Explicit);
    assertThat(cc.getMaxDeliver()).isEqualTo(3);
    assertThat(cc.getBackoff()).containsExactly(Duration.ofSeconds(11), Duration.ofSeconds(12));
    assertThat(cc.getMaxAckPending()).isEqualTo(16);
    assertThat(spec.inProgressEvery()).isEqualTo(Duration.ofSeconds(10).dividedBy(3));
  }

  @Test
  void settingsFromConfigApply() {
    ConsumerSettings settings =
        new ConsumerSettings() {
          public String durable() {
            return "d";
          }

          public Duration ackWait() {
            return Duration.ofSeconds(9);
          }

          public java.util.List<Duration> backoff() {
            return java.util.List.of(Duration.ofMillis(10));
          }

          public int maxDeliver() {
            return 3;
          }

          public int concurrency() {
            return 2;
          }

          public java.util.Optional<Integer> maxAckPending() {
            return java.util.Optional.empty();
          }

          public java.util.Optional<Duration> inProgressEvery() {
            return java.util.Optional.of(Duration.ofSeconds(2));
          }
        };
    ConsumerSpec spec = ConsumerSpec.builder("S", "d", "s.>").settings(settings).build();
    assertThat(spec.ackWait()).isEqualTo(Duration.ofSeconds(9));
    assertThat(spec.backoff()).containsExactly(Duration.ofMillis(10));
    assertThat(spec.maxDeliver()).isEqualTo(3);
    assertThat(spec.concurrency()).isEqualTo(2);
    assertThat(spec.maxAckPending()).isEqualTo(8);
    assertThat(spec.inProgressEvery()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void invalidSpecsNameTheField() {
    assertThatThrownBy(() -> ConsumerSpec.builder("S", "d", "s.>").maxDeliver(1).build())
        .hasMessageContaining("max-deliver");
    assertThatThrownBy(
            () -> ConsumerSpec.builder("S", "d", "s.>").concurrency(8).maxAckPending(4).build())
        .hasMessageContaining("max-ack-pending");
    assertThatThrownBy(() -> ConsumerSpec.builder("S", "bad name", "s.>").build())
        .hasMessageContaining("durable");
    assertThatThrownBy(() ->
            ConsumerSpec.builder("S", "d", "s.>")
                .ackWait(Duration.ofSeconds(1))
                .inProgressEvery(Duration.ofSeconds(2))
                .build())
        .hasMessageContaining("in-progress-every");
  }
}
