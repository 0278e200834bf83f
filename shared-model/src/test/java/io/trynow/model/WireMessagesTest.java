package io.trynow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract: every message record round-trips through the services' JSON mapping ({@link Json})
 * unchanged, carries its subject and msg id, and its JSON is exactly the record (the subject and
 * msg id travel as the NATS subject and the {@code Nats-Msg-Id} header, not in the body).
 */
class WireMessagesTest {

  static final String ID = "iabcdefghijklmnopqrs";
  static final String OTHER = "i234567abcdefghijklm";
  static final String RID = "rabcdefghijklmnopqrstuvwxy";

  static final InstanceEvent STARTED =
      new InstanceEvent(
          InstanceEventKind.STARTED,
          ID,
          "hello",
          "started",
          3,
          1_700_000_000_000L,
          RID,
          "http://" + ID + ".demo.test",
          null,
          null);

  /** One of each message, with every field that kind uses. */
  static List<WireMessage> samples() {
    return List.of(
        new AcquireRequest(RID, "hello", "127.0.0.1", "ab".repeat(32), 1_700_000_000_000L, null),
        new AcquireRequest(
            RID, "shop", "127.0.0.1", "cd".repeat(32), 1L, "_INBOX.x", Map.of("email", "a@b.c"), 3),
        new ProvisionRequest(ID, "hello", RID),
        new ProvisionRequest(ID, "hello", null),
        new CleanupRequest(ID, "released", RID),
        STARTED,
        new InstanceEvent(
            InstanceEventKind.FAILED, ID, "hello", "failed", 5, 1L, null, null, null, "boom"),
        RequestEvent.queued(RID, "hello", 3, 12),
        RequestEvent.position(RID, "hello", 1, 4),
        RequestEvent.assigned(RID, "hello", ID, "http://x.demo.test", 1_700_000_600_000L),
        RequestEvent.expired(RID, "hello"),
        RequestEvent.unavailable(RID, "hello"),
        RequestEvent.failed(RID, "hello", "no demo"));
  }

  @Test
  void everyMessageRoundTripsThroughJsonWithoutItsSubjectOrMsgIdInTheBody() throws Exception {
    for (WireMessage m : samples()) {
      byte[] json = Json.write(m);
      assertThat(Json.read(json, m.getClass())).as(m.toString()).isEqualTo(m);
      JsonNode tree = Json.MAPPER.readTree(json);
      assertThat(tree.has("subject")).as(m.toString()).isFalse();
      assertThat(tree.has("msgId")).as(m.toString()).isFalse();
      assertThat(m.subject()).startsWith("trynow.");
      assertThat(m.msgId()).isNotBlank();
    }
  }

  @Test
  void everyKindOfMessageHasASample() {
    assertThat(samples().stream().map(Object::getClass).distinct())
        .containsExactlyInAnyOrder(WireMessage.class.getPermittedSubclasses());
  }

  @Test
  void commandsNameTheirSubjectAndMsgId() {
    AcquireRequest a = new AcquireRequest(RID, "hello", "127.0.0.1", "h", 1L, null);
    assertThat(a.subject()).isEqualTo("trynow.acquire.hello");
    assertThat(a.msgId()).isEqualTo(RID);
    assertThat(a.requestId()).isEqualTo(RID);

    ProvisionRequest p = new ProvisionRequest(ID, "hello", null);
    assertThat(p.subject()).isEqualTo("trynow.provision.hello");
    assertThat(p.msgId()).isEqualTo(ID);

    CleanupRequest c = new CleanupRequest(ID, "expired", RID);
    assertThat(c.subject()).isEqualTo("trynow.cleanup." + ID);
    // the same instance's teardown is one message whoever asks, for whatever reason
    assertThat(c.msgId())
        .isEqualTo("cleanup:" + ID)
        .isEqualTo(new CleanupRequest(ID, "forced", null).msgId());
  }

  @Test
  void instanceEventsAreKeyedByVersionAndKind() {
    assertThat(STARTED.subject()).isEqualTo("trynow.events.instance." + ID + ".started");
    assertThat(STARTED.msgId()).isEqualTo(ID + ":3:started");
    assertThat(Subjects.isInstanceEvent(STARTED.subject())).isTrue();
  }

  @Test
  void requestEventsAreKeyedByWhatMakesThemUnique() {
    assertThat(RequestEvent.queued(RID, "hello", 3, 12).subject())
        .isEqualTo("trynow.events.request." + RID + ".queued");
    assertThat(RequestEvent.queued(RID, "hello", 3, 12).msgId()).isEqualTo(RID + ":queued:3");
    assertThat(RequestEvent.position(RID, "hello", 2, 9).msgId()).isEqualTo(RID + ":position:2");
    assertThat(RequestEvent.expired(RID, "hello").msgId()).isEqualTo(RID + ":expired");
    assertThat(RequestEvent.unavailable(RID, "t").msgId()).isEqualTo(RID + ":unavailable");
    assertThat(RequestEvent.failed(RID, "t", "x").msgId()).isEqualTo(RID + ":failed");
    assertThat(Subjects.isInstanceEvent(RequestEvent.expired(RID, "t").subject())).isFalse();
  }

  @Test
  void anAssignedRequestEventIsTheSameWhoeverPublishesItAndNewForAnotherInstance() {
    RequestEvent pool = RequestEvent.assigned(RID, "hello", ID, "u", 10L);
    RequestEvent proxy = RequestEvent.assigned(RID, "hello", ID, "u", 10L);
    assertThat(pool.msgId()).isEqualTo(RID + ":assigned:" + ID).isEqualTo(proxy.msgId());
    assertThat(RequestEvent.assigned(RID, "hello", OTHER, "u", 10L).msgId())
        .isNotEqualTo(pool.msgId());
  }

  @Test
  void theWireFieldNamesStay() throws Exception {
    JsonNode e = Json.MAPPER.readTree(Json.write(STARTED));
    assertThat(e.get("kind").asText()).isEqualTo("started");
    assertThat(e.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "kind", "instanceId", "template", "state", "version", "atMs", "requestId", "url");
    JsonNode r =
        Json.MAPPER.readTree(Json.write(RequestEvent.assigned(RID, "hello", ID, "u", 10L)));
    assertThat(r.get("kind").asText()).isEqualTo("assigned");
    assertThat(r.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "kind", "requestId", "template", "instanceId", "url", "expiresAtMs", "atMs");
    // an event of the previous format (a request event shaped as an instance event) still reads
    RequestEvent old =
        Json.read(
            ("{\"kind\":\"queued\",\"template\":\"hello\",\"state\":\"queued\",\"version\":0,"
                    + "\"atMs\":5,\"requestId\":\""
                    + RID
                    + "\",\"position\":2,\"etaSeconds\":7}")
                .getBytes(StandardCharsets.UTF_8),
            RequestEvent.class);
    assertThat(old.kind()).isEqualTo(RequestEventKind.QUEUED);
    assertThat(old.position()).isEqualTo(2);
    assertThat(old.msgId()).isEqualTo(RID + ":queued:2");
  }

  @Test
  void anUnknownKindIsNeverPublishedAndBadIdsNeverReachASubject() {
    InstanceEvent unknown =
        new InstanceEvent(
            InstanceEventKind.UNKNOWN, ID, "t", "ready", 1, 1, null, null, null, null);
    assertThatThrownBy(unknown::subject).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(unknown::msgId).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new CleanupRequest("x.>", "forced", null).subject())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RequestEvent.expired("r*", "t").subject())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
