package io.trynow.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PositionPacerTest {

  static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");
  static final Instant FAR = T0.plusSeconds(60);

  static Instant at(long ms) {
    return T0.plusMillis(ms);
  }

  @Test
  void theFirstPositionIsToldAtOnceAndTheNextNotBeforeTheInterval() {
    PositionPacer<String> p = new PositionPacer<>(Duration.ofSeconds(1));
    assertThat(p.tellNow("p9", at(0))).isTrue();
    p.told(at(0));
    assertThat(p.tellNow("p8", at(300))).isFalse();
    assertThat(p.tellNow("p7", at(600))).as("a newer one replaces the held one").isFalse();
    assertThat(p.wakeAt(FAR)).isEqualTo(at(1000));
    assertThat(p.takeDue(at(999))).isNull();
    assertThat(p.takeDue(at(1000))).isEqualTo("p7");
    assertThat(p.takeDue(at(1001))).as("told once").isNull();
    assertThat(p.wakeAt(FAR)).as("nothing held: no earlier wake-up").isEqualTo(FAR);
  }

  @Test
  void aPositionAfterTheIntervalIsToldAtOnce() {
    PositionPacer<String> p = new PositionPacer<>(Duration.ofSeconds(1));
    p.told(at(0)); // the queued event carries a position
    assertThat(p.tellNow("p5", at(1000))).isTrue();
    p.told(at(1000));
    assertThat(p.tellNow("p4", at(1500))).isFalse();
    assertThat(p.wakeAt(at(1200))).as("an earlier deadline stays").isEqualTo(at(1200));
  }

  @Test
  void anotherEventOvertakesAHeldPosition() {
    PositionPacer<String> p = new PositionPacer<>(Duration.ofSeconds(1));
    p.told(at(0));
    assertThat(p.tellNow("p1", at(100))).isFalse();
    p.overtaken(); // assigned came
    assertThat(p.takeDue(at(5000))).isNull();
    assertThat(p.wakeAt(FAR)).isEqualTo(FAR);
  }

  @Test
  void zeroTellsEveryPosition() {
    PositionPacer<String> p = new PositionPacer<>(Duration.ZERO);
    for (int i = 0; i < 5; i++) {
      assertThat(p.tellNow("p" + i, at(i))).isTrue();
      p.told(at(i));
    }
    assertThat(p.wakeAt(FAR)).isEqualTo(FAR);
  }
}
