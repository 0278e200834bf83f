package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void parsesTheQuarkusRedisHostsForms() {
    assertThat(Endpoint.parse("redis://127.0.0.1:16379"))
        .isEqualTo(new Endpoint("127.0.0.1", 16379, null, null, 0));
    assertThat(Endpoint.parse("redis://localhost"))
        .isEqualTo(new Endpoint("localhost", 6379, null, null, 0));
    assertThat(Endpoint.parse("redis://:s%40cret@valkey:6380/2"))
        .isEqualTo(new Endpoint("valkey", 6380, null, "s@cret", 2));
    assertThat(Endpoint.parse("redis://app:pw@valkey:6379,redis://other:6379"))
        .isEqualTo(new Endpoint("valkey", 6379, "app", "pw", 0));
  }

  @Test
  void neverPrintsThePassword() {
    assertThat(Endpoint.parse("redis://:hunter2@valkey:6379").toString()).doesNotContain("hunter2");
  }

  @Test
  void rejectsWhatItCannotServe() {
    assertThatThrownBy(() -> Endpoint.parse("rediss://valkey:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rediss");
    assertThatThrownBy(() -> Endpoint.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Endpoint.parse("valkey:6379"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
