package io.trynow.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthPrimitivesTest {

  private final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @Test
  void accessTokenIs256RandomBitsAndOnlyItsHashMatches() {
    String t = AccessTokens.newToken();
    assertThat(t).hasSize(43).matches("[A-Za-z0-9_-]+");
    String h = AccessTokens.hash(t);
    assertThat(h).hasSize(64).doesNotContain(t);
    assertThat(AccessTokens.matches(t, h)).isTrue();
    assertThat(AccessTokens.matches(AccessTokens.newToken(), h)).isFalse();
    assertThat(AccessTokens.matches(t.substring(1) + "A", h)).isFalse();
    assertThat(AccessTokens.matches(null, h)).isFalse();
    assertThat(AccessTokens.matches(t, null)).isFalse();
    Set<String> many = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      many.add(AccessTokens.newToken());
    }
    assertThat(many).hasSize(1000);
  }

  @Test
  void sha256IsTheStandardDigestFromEveryThread() throws Exception {
    // FIPS 180-2 test vector; the digest object is shared and cloned, so check it across threads
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(Secrets.sha256Hex("abc")).isEqualTo(abc);
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      var results = new java.util.ArrayList<java.util.concurrent.Future<String>>();
      for (int i = 0; i < 2000; i++) {
        results.add(pool.submit(() -> Secrets.sha256Hex("abc")));
      }
      for (var r : results) {
        assertThat(r.get()).isEqualTo(abc);
      }
    }
  }

  @Test
  void bearerHeaderParsing() {
    assertThat(AccessTokens.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(AccessTokens.bearer("bearer  abc ")).isEqualTo("abc");
    assertThat(AccessTokens.bearer("Basic abc")).isNull();
    assertThat(AccessTokens.bearer("Bearer ")).isNull();
    assertThat(AccessTokens.bearer(null)).isNull();
  }

  @Test
  void ticketsAreBoundToIdAndExpiry() {
    Tickets tickets = new Tickets(secret);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    String id = Ids.newRequestId();
    String t = tickets.issue(id, now.plusSeconds(60));
    assertThat(tickets.verify(t, id, now)).isTrue();
    assertThat(tickets.verify(t, id, now.plusSeconds(61))).isFalse();
    assertThat(tickets.verify(t, Ids.newRequestId(), now)).isFalse();
    String forgedExpiry = (now.getEpochSecond() + 99999) + t.substring(t.indexOf('.'));
    assertThat(tickets.verify(forgedExpiry, id, now)).isFalse();
    assertThat(new Tickets("another-secret-another-secret-123".getBytes()).verify(t, id, now))
        .isFalse();
    assertThat(tickets.verify("garbage", id, now)).isFalse();
    assertThat(tickets.verify(null, id, now)).isFalse();
  }

  @Test
  void idempotencyKeyMapsToOneRequestIdPerClient() {
    IdempotencyKeys keys = new IdempotencyKeys(secret);
    String a = keys.requestId("1.2.3.4|", "key-0000000000000001");
    assertThat(Ids.isRequest(a)).isTrue();
    assertThat(keys.requestId("1.2.3.4|", "key-0000000000000001")).isEqualTo(a);
    assertThat(keys.requestId("1.2.3.5|", "key-0000000000000001")).isNotEqualTo(a);
    assertThat(keys.requestId("1.2.3.4|", "key-0000000000000002")).isNotEqualTo(a);
    assertThat(
            new IdempotencyKeys("x".repeat(32).getBytes())
                .requestId("1.2.3.4|", "key-0000000000000001"))
        .isNotEqualTo(a);
    String token = keys.accessToken("1.2.3.4|", "key-0000000000000001");
    assertThat(token).hasSize(43).isEqualTo(keys.accessToken("1.2.3.4|", "key-0000000000000001"));
    assertThat(AccessTokens.matches(token, AccessTokens.hash(token))).isTrue();
    assertThat(IdempotencyKeys.isValid("short")).isFalse();
    assertThat(IdempotencyKeys.isValid("3f2b6c1e-9f7a-4b8e-8a55-0c2a3b4d5e6f")).isTrue();
    assertThat(IdempotencyKeys.isValid("has space in it 123456")).isFalse();
  }
}
