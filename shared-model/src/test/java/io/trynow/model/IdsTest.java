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
  void everyCharacterTakesFiveBitsInOrder() {
    // 0b00000_00001_00010_00011_00100_00101_00110_00111 = 5 bytes, 8 characters
    byte[] bits = {0x00, 0x44, 0x32, 0x14, (byte) 0xc7};
    assertThat(Ids.base32(bits, 8)).isEqualTo("abcdefgh");
    assertThat(Ids.base32(new byte[] {(byte) 0xff, (byte) 0xff}, 3)).isEqualTo("777");
  }

  @Test
  void everyPositionTakesEveryCharacterAndIdsDoNotRepeat() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    boolean[][] used = new boolean[25][32];
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    for (int i = 0; i < 5000; i++) {
      String id = Ids.newRequestId();
      assertThat(seen.add(id)).isTrue();
      for (int p = 0; p < 25; p++) {
        used[p][alphabet.indexOf(id.charAt(p + 1))] = true;
      }
    }
    for (int p = 0; p < 25; p++) {
      for (int c = 0; c < 32; c++) {
        assertThat(used[p][c]).as("character %s at position %d", alphabet.charAt(c), p).isTrue();
      }
    }
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
