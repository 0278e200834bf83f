package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(List.of(Duration.ofMillis(100), Duration.ofMillis(400)), 4, 0.5);

  @Test
  void doneAcks() {
    assertThat(policy.decide(Outcome.done(), 1, () -> 0.0)).isInstanceOf(RetryPolicy.Ack.class);
  }

  @Test
  void retryLaterUsesTheDelayOfTheDeliveryAndTheLastOneRepeats() {
    assertThat(policy.decide(Outcome.retryLater("x"), 1, () -> 0.0))
        .isEqualTo(new RetryPolicy.Nak(Duration.ofMillis(100), "x"));
    assertThat(policy.decide(Outcome.retryLater("x"), 2, () -> 0.0))
        .isEqualTo(new RetryPolicy.Nak(Duration.ofMillis(400), "x"));
    assertThat(policy.decide(Outcome.retryLater("x"), 3, () -> 0.0))
        .isEqualTo(new RetryPolicy.Nak(Duration.ofMillis(400), "x"));
  }

  @Test
  void jitterOnlyStretchesTheDelay() {
    assertThat(policy.delayFor(1, () -> 1.0)).isEqualTo(Duration.ofMillis(150));
    assertThat(policy.delayFor(1, () -> 0.0)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theHandlersOwnDelayWins() {
    assertThat(policy.decide(Outcome.retryLater(Duration.ofSeconds(7), "busy"), 1, () -> 0.0))
        .isEqualTo(new RetryPolicy.Nak(Duration.ofSeconds(7), "busy"));
  }

  @Test
  void theLastDeliveryThatFailsIsAGiveUp() {
    assertThat(policy.decide(Outcome.retryLater("x"), 4, () -> 0.0))
        .isInstanceOf(RetryPolicy.DeadLetter.class);
    assertThat(policy.onError(new IllegalStateException("boom"), 4, () -> 0.0))
        .isInstanceOfSatisfying(
            RetryPolicy.DeadLetter.class,
            d -> assertThat(d.reason()).contains("boom").contains("4 deliveries"));
  }

  @Test
  void anExceptionBeforeTheLastDeliveryIsARetry() {
    assertThat(policy.onError(new IllegalStateException("boom"), 1, () -> 0.0))
        .isEqualTo(
            new RetryPolicy.Nak(Duration.ofMillis(100), "java.lang.IllegalStateException: boom"));
  }

  @Test
  void giveUpDeadLettersAtOnce() {
    assertThat(policy.decide(Outcome.giveUp("malformed"), 1, () -> 0.0))
        .isEqualTo(new RetryPolicy.DeadLetter("malformed"));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(List.of(), 3, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ofSeconds(1)), 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
