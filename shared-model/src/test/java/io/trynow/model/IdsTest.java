package io.trynow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void generatedIdsMatchTheirPatternsAndAreDnsLabels() {
    for (int i = 0; i < 1000; i++) {
      assertThat(Ids.isInstance(Ids.newInstanceId())).isTrue();
      assertThat(Ids.isRequest(Ids.newRequestId())).isTrue();
    }
    assertThat(Ids.newInstanceId()).hasSize(20).matches("[a-z0-9]+");
  }

  @Test
  void hostileIdsAreRejectedBeforeTheyReachASubjectOrKey() {
    for (String bad :
        new String[] {
          null, "", "i", "I" + "a".repeat(19), "iaaaaaaaaaaaaaaaaaa.", "iaaaa>aaaaaaaaaaaaaa", "a*"
        }) {
      assertThat(Ids.isInstance(bad)).isFalse();
    }
    assertThatThrownBy(() -> Subjects.cleanup("x.>")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Subjects.acquire("Hello World"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Subjects.acquire("hello")).isEqualTo("trynow.acquire.hello");
  }

  @Test
  void onlyTheDesignedTransitionsAreAllowed() {
    assertThat(InstanceState.READY.canMoveTo(InstanceState.ASSIGNED)).isTrue();
    assertThat(InstanceState.ASSIGNED.canMoveTo(InstanceState.READY)).isFalse();
    assertThat(InstanceState.TERMINATED.next()).isEmpty();
    assertThat(InstanceState.FAILED.next()).isEmpty();
    assertThat(InstanceState.fromWire("ready")).isEqualTo(InstanceState.READY);
  }
}
