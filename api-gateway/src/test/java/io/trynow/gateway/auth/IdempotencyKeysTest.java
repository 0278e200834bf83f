package io.trynow.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attempts of one Idempotency-Key after 503s ({@link IdempotencyKeys#nextAttempt}): each id
 * follows from the one before, the same on every gateway replica that holds the secret, and the
 * {@link IdempotencyKeys#MAX_ATTEMPTS} attempts a key may take are all different requests.
 */
class IdempotencyKeysTest {

  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final String SCOPE = "10.8.0.1|";
  private static final String KEY = "retry-after-503-0123456789";

  @Test
  void theNextAttemptIsDerivedDeterministicallyOnEveryReplica() {
    IdempotencyKeys one = new IdempotencyKeys(SECRET);
    IdempotencyKeys other = new IdempotencyKeys(SECRET.clone());
    String first = one.requestId(SCOPE, KEY);
    String next = one.nextAttempt(first);
    assertThat(Ids.isRequest(next)).as(next).isTrue();
    assertThat(one.nextAttempt(first)).isEqualTo(next);
    assertThat(other.nextAttempt(first)).isEqualTo(next);
    assertThat(attempts(other, first)).isEqualTo(attempts(one, first));
  }

  @Test
  void everyAttemptUpToTheBoundIsADifferentRequest() {
    IdempotencyKeys keys = new IdempotencyKeys(SECRET);
    List<String> attempts = attempts(keys, keys.requestId(SCOPE, KEY));
    assertThat(attempts).hasSize(IdempotencyKeys.MAX_ATTEMPTS);
    assertThat(attempts).allMatch(Ids::isRequest);
    assertThat(new HashSet<>(attempts)).hasSize(IdempotencyKeys.MAX_ATTEMPTS);
    // nor does any attempt fall on the first attempt of the same key from another client
    assertThat(attempts).doesNotContain(keys.requestId("10.8.0.2|", KEY));
  }

  @Test
  void theNextAttemptNeedsTheSecretAndDependsOnTheAttemptBefore() {
    IdempotencyKeys keys = new IdempotencyKeys(SECRET);
    String first = keys.requestId(SCOPE, KEY);
    assertThat(
            new IdempotencyKeys("x".repeat(32).getBytes(StandardCharsets.UTF_8)).nextAttempt(first))
        .isNotEqualTo(keys.nextAttempt(first));
    assertThat(keys.nextAttempt(keys.requestId(SCOPE, KEY + "-other")))
        .isNotEqualTo(keys.nextAttempt(first));
    // an attempt id is not the token's derivation either: the token stays the key's own
    assertThat(keys.nextAttempt(first)).isNotEqualTo(first);
  }

  @Test
  void theBoundIsSixteenAttempts() {
    // The first attempt and up to 15 retries after a 503; documented in api-gateway's README.
    assertThat(IdempotencyKeys.MAX_ATTEMPTS).isEqualTo(16);
  }

  /** The key's first MAX_ATTEMPTS request ids, from {@code first} on. */
  private static List<String> attempts(IdempotencyKeys keys, String first) {
    List<String> ids = new ArrayList<>();
    String id = first;
    for (int n = 0; n < IdempotencyKeys.MAX_ATTEMPTS; n++) {
      ids.add(id);
      id = keys.nextAttempt(id);
    }
    return ids;
  }
}
