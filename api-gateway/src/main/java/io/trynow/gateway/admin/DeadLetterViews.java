package io.trynow.gateway.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.platform.messaging.DeadLetter;
import io.trynow.platform.messaging.DeadLetterPage;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.PublishResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Dead letters as the admin API shows them (snake_case, payload as text when it is UTF-8). */
final class DeadLetterViews {

  private DeadLetterViews() {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Item(
      long sequence,
      String originalSubject,
      String originalStream,
      long originalSequence,
      long deliveries,
      String lastError,
      Instant deadLetteredAt,
      String requestId,
      Map<String, List<String>> headers,
      String payload,
      String payloadBase64) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Page(List<Item> items, long nextAfter) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Replayed(long sequence, boolean replayed, String stream, Long newSequence, String error) {}

  static Item of(DeadLetter d) {
    byte[] data = d.data() == null ? new byte[0] : d.data();
    return new Item(
        d.sequence(),
        d.originalSubject(),
        d.originalStream(),
        d.originalSequence(),
        d.deliveries(),
        d.lastError(),
        d.deadLetteredAt(),
        d.requestId(),
        d.headers(),
        text(data),
        Base64.getEncoder().encodeToString(data));
  }

  static Page of(DeadLetterPage p) {
    return new Page(p.items().stream().map(DeadLetterViews::of).toList(), p.nextAfter());
  }

  static Replayed of(long sequence, PublishResult r) {
    return new Replayed(sequence, true, r.stream(), r.sequence(), null);
  }

  static Replayed of(DeadLetters.ReplayResult r) {
    return new Replayed(r.sequence(), r.replayed(), null, null, r.error());
  }

  private static String text(byte[] data) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
