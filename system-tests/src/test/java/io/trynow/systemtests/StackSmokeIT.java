package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Stack helper itself: five services up, one killed with -9 and started again. */
class StackSmokeIT {

  @Test
  void fiveServicesStartAndOneComesBackAfterKill9() {
    try (Stack stack = Stack.builder("smoke").start()) {
      for (Service s : Service.values()) {
        assertThat(stack.isReady(s)).as(s.module()).isTrue();
      }
      stack.kill(Service.PROXY_SYNC);
      assertThat(stack.isRunning(Service.PROXY_SYNC)).isFalse();
      stack.start(Service.PROXY_SYNC);
      assertThat(stack.isReady(Service.PROXY_SYNC)).isTrue();
    }
  }
}
