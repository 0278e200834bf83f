package io.trynow.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Invalid configuration fails startup with a message naming the key (seed 000 finding 15). */
class GatewaySettingsTest {

  static GatewaySettings settings(Map<String, String> values) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(GatewayConfig.class)
            .withConverter(
                java.time.Duration.class,
                100,
                new io.quarkus.runtime.configuration.DurationConverter())
            .withSources(new MapBackedConfigSource("test", values) {})
            .build();
    return new GatewaySettings(config.getConfigMapping(GatewayConfig.class));
  }

  @Test
  void defaultsAreValid() {
    GatewaySettings s = settings(Map.of());
    assertThat(s.apiKeyRequired()).isFalse();
    assertThat(s.adminEnabled()).isFalse();
    assertThat(s.trustedProxies().isEmpty()).isTrue();
  }

  @Test
  void finding15_badTrustedProxyFailsStartupNamingTheKey() {
    assertThatThrownBy(
            () -> settings(Map.of("trynow.gateway.trusted-proxies", "10.0.0.0/8,10.0.0.0/40")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trynow.gateway.trusted-proxies")
        .hasMessageContaining("10.0.0.0/40");
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.trusted-proxies", "proxy.internal")))
        .hasMessageContaining("trynow.gateway.trusted-proxies");
  }

  @Test
  void otherBadValuesNameTheirKey() {
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.ticket-secret", "short")))
        .hasMessageContaining("trynow.gateway.ticket-secret");
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.admin-key-hash", "nothex")))
        .hasMessageContaining("trynow.gateway.admin-key-hash");
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.acquires-per-hour", "0")))
        .hasMessageContaining("trynow.gateway.acquires-per-hour");
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.reply-wait", "0s")))
        .hasMessageContaining("trynow.gateway.reply-wait");
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.api-keys", "tooshort")))
        .hasMessageContaining("trynow.gateway.api-keys");
  }

  @Test
  void keysAreComparedByHash() {
    String adminHash = io.trynow.gateway.auth.Secrets.sha256Hex("the-admin-key-of-this-test");
    GatewaySettings s =
        settings(
            Map.of(
                "trynow.gateway.admin-key-hash",
                adminHash,
                "trynow.gateway.api-keys",
                "key-aaaaaaaaaaaaaaaa,key-bbbbbbbbbbbbbbbb"));
    assertThat(s.isAdminKey("the-admin-key-of-this-test")).isTrue();
    assertThat(s.isAdminKey("the-admin-key-of-this-tesT")).isFalse();
    assertThat(s.isApiKey("key-bbbbbbbbbbbbbbbb")).isTrue();
    assertThat(s.isApiKey("key-cccccccccccccccc")).isFalse();
    assertThat(s.apiKeyRequired()).isTrue();
  }
}
