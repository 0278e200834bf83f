package io.trynow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The kinds' wire names are the ones on the wire today (subjects, JSON, the browser's SSE event
 * names): renaming an enum constant must fail here, not silently in a consumer.
 */
class EventKindsTest {

  @Test
  void instanceEventKindsKeepTheirWireNames() {
    assertThat(Arrays.stream(InstanceEventKind.values()).map(InstanceEventKind::wire))
        .containsExactly(
            "requested",
            "started",
            "ready",
            "assigned",
            "extended",
            "expiring",
            "terminating",
            "terminated",
            "failed",
            "unknown");
  }

  @Test
  void requestEventKindsKeepTheirWireNames() {
    assertThat(Arrays.stream(RequestEventKind.values()).map(RequestEventKind::wire))
        .containsExactly(
            "queued", "position", "assigned", "expired", "unavailable", "failed", "unknown");
  }

  @Test
  void wireNamesReadBackAndUnknownNamesAreUnknownNotAnError() {
    for (InstanceEventKind k : InstanceEventKind.values()) {
      assertThat(InstanceEventKind.fromWire(k.wire())).isEqualTo(k);
    }
    for (RequestEventKind k : RequestEventKind.values()) {
      assertThat(RequestEventKind.fromWire(k.wire())).isEqualTo(k);
    }
    assertThat(InstanceEventKind.fromWire("hibernated")).isEqualTo(InstanceEventKind.UNKNOWN);
    assertThat(RequestEventKind.fromWire(null)).isEqualTo(RequestEventKind.UNKNOWN);
    // a newer publisher's kind is read, not rejected as a malformed message
    InstanceEvent e =
        Json.read(
            "{\"kind\":\"hibernated\",\"instanceId\":\"iaaaaaaaaaaaaaaaaaaa\",\"version\":3}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            InstanceEvent.class);
    assertThat(e.kind()).isEqualTo(InstanceEventKind.UNKNOWN);
  }

  @Test
  void endingKinds() {
    assertThat(Arrays.stream(InstanceEventKind.values()).filter(InstanceEventKind::ends))
        .containsExactly(InstanceEventKind.TERMINATED, InstanceEventKind.FAILED);
    assertThat(Arrays.stream(RequestEventKind.values()).filter(RequestEventKind::endsWithoutDemo))
        .containsExactly(
            RequestEventKind.EXPIRED, RequestEventKind.UNAVAILABLE, RequestEventKind.FAILED);
  }
}
