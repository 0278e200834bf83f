package io.trynow.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up's pass admits only its own value, and only while it is open. */
class WarmUpPassTest {

  @Test
  void admitsOnlyTheOpenValue() {
    WarmUpPass pass = new WarmUpPass();
    assertThat(pass.admits(null)).isFalse();
    assertThat(pass.admits("")).isFalse();
    String first = pass.open();
    assertThat(first).hasSize(48);
    assertThat(pass.admits(first)).isTrue();
    assertThat(pass.admits(first.substring(1))).isFalse();
    assertThat(pass.admits(first + "0")).isFalse();
    assertThat(pass.admits(null)).isFalse();
    pass.close();
    assertThat(pass.admits(first)).isFalse();
    String second = pass.open();
    assertThat(second).isNotEqualTo(first);
    assertThat(pass.admits(first)).isFalse();
    assertThat(pass.admits(second)).isTrue();
    pass.close();
  }
}
