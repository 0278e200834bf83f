package io.trynow.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.gateway.outcome.RateLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitFieldsTest {

  @Test
  void oneItemPerWindowAsTheDraftWritesThem() {
    RateLimits limits =
        new RateLimits(
            List.of(
                new RateLimits.Window("hour", 10, 3600, 7, 1200),
                new RateLimits.Window("day", 1000, 86400, 997, 50000)));
    assertThat(RateLimitFields.policy(limits))
        .isEqualTo("\"hour\";q=10;w=3600, \"day\";q=1000;w=86400");
    assertThat(RateLimitFields.status(limits))
        .isEqualTo("\"hour\";r=7;t=1200, \"day\";r=997;t=50000");
  }

  @Test
  void aSingleWindowHasNoSeparator() {
    RateLimits limits = new RateLimits(List.of(new RateLimits.Window("hour", 5, 3600, 0, 9)));
    assertThat(RateLimitFields.policy(limits)).isEqualTo("\"hour\";q=5;w=3600");
    assertThat(RateLimitFields.status(limits)).isEqualTo("\"hour\";r=0;t=9");
  }
}
