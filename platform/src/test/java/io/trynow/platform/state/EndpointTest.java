package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void parsesTheQuarkusRedisHostsForms() {
    assertThat(Endpoint.parse("redis://127.0.0.1:16379"))
        .isEqualTo(new Endpoint(false, "127.0.0.1", 16379, null, null, 0));
    assertThat(Endpoint.parse("redis://localhost"))
        .isEqualTo(new Endpoint(false, "localhost", 6379, null, null, 0));
    assertThat(Endpoint.parse("redis://:s%40cret@valkey:6380/2"))
        .isEqualTo(new Endpoint(false, "valkey", 6380, null, "s@cret", 2));
    assertThat(Endpoint.parse("redis://app:pw@valkey:6379,redis://other:6379"))
        .isEqualTo(new Endpoint(false, "valkey", 6379, "app", "pw", 0));
    assertThat(Endpoint.parse("rediss://store@valkey:6380"))
        .isEqualTo(new Endpoint(true, "valkey", 6380, "store", null, 0));
    assertThat(Endpoint.parseAll("redis://s1:26379, redis://s2:26379")).hasSize(2);
  }

  @Test
  void neverPrintsThePassword() {
    assertThat(Endpoint.parse("redis://:hunter2@valkey:6379").toString()).doesNotContain("hunter2");
    assertThat(Endpoint.describe("rediss://u:hunter2@a:1,redis://u:hunter2@b:2"))
        .isEqualTo("rediss://a:1/0,redis://b:2/0");
    assertThatThrownBy(() -> Endpoint.parse("valkey://u:hunter2@valkey:6379"))
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rejectsWhatItCannotServe() {
    assertThatThrownBy(() -> Endpoint.parse("valkey://valkey:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rediss://");
    assertThatThrownBy(() -> Endpoint.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Endpoint.parse("valkey:6379"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
