package io.trynow.platform.failpoint;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailpointsTest {

  private static final String KEY = "trynow.x.failpoint-y";

  @Test
  void aFailpointSetInTheProdProfileIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> Failpoints.refuseInProd(KEY, true, List.of("prod")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(KEY + ": ");
  }

  @Test
  void testProfilesAndAnUnsetFailpointStart() {
    assertThatCode(() -> Failpoints.refuseInProd(KEY, true, List.of("test")))
        .doesNotThrowAnyException();
    assertThatCode(() -> Failpoints.refuseInProd(KEY, true, List.of(Failpoints.PROFILE)))
        .doesNotThrowAnyException();
    assertThatCode(() -> Failpoints.refuseInProd(KEY, false, List.of("prod")))
        .doesNotThrowAnyException();
  }
}
