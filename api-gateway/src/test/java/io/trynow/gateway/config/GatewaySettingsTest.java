package io.trynow.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invalid configuration fails startup with a message naming the key. */
class GatewaySettingsTest {

  private static final String SECRET = "a-ticket-secret-of-at-least-32-characters";

  /** Settings with a ticket secret (every production gateway has one) plus {@code values}. */
  static GatewaySettings settings(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(values);
    if (!values.containsKey("trynow.gateway.ticket-secret-file")) {
      all.putIfAbsent("trynow.gateway.ticket-secret", SECRET);
    }
    return bare(all);
  }

  static GatewaySettings bare(Map<String, String> values) {
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
  void withoutATicketSecretTheGatewayRefusesToStart() {
    assertThatThrownBy(() -> bare(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trynow.gateway.ticket-secret")
        .hasMessageContaining("TRYNOW_GATEWAY_TICKET_SECRET_FILE");
  }

  @Test
  void onlyWhenAllowedARandomSecretIsUsed() {
    byte[] one = bare(Map.of("trynow.gateway.random-ticket-secret", "true")).secret();
    byte[] two = bare(Map.of("trynow.gateway.random-ticket-secret", "true")).secret();
    assertThat(one).hasSize(32).isNotEqualTo(two);
  }

  @Test
  void secretsComeFromFiles(@TempDir Path dir) throws IOException {
    Path ticket = Files.writeString(dir.resolve("ticket-secret"), SECRET + "\n");
    Path admin =
        Files.writeString(
            dir.resolve("admin-key-hash"),
            io.trynow.gateway.auth.Secrets.sha256Hex("the-admin-key-of-this-test"));
    Path keys =
        Files.writeString(dir.resolve("api-keys"), "key-aaaaaaaaaaaaaaaa\nkey-bbbbbbbbbbbbbbbb,\n");
    GatewaySettings s =
        bare(
            Map.of(
                "trynow.gateway.ticket-secret-file", ticket.toString(),
                "trynow.gateway.admin-key-hash-file", admin.toString(),
                "trynow.gateway.api-keys-file", keys.toString()));
    assertThat(s.secret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(s.isAdminKey("the-admin-key-of-this-test")).isTrue();
    assertThat(s.isApiKey("key-aaaaaaaaaaaaaaaa")).isTrue();
    assertThat(s.isApiKey("key-bbbbbbbbbbbbbbbb")).isTrue();
    assertThat(s.isApiKey("key-cccccccccccccccc")).isFalse();
  }

  @Test
  void emptyFilesMeanNotSet(@TempDir Path dir) throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    GatewaySettings s =
        settings(
            Map.of(
                "trynow.gateway.admin-key-hash-file", empty.toString(),
                "trynow.gateway.api-keys-file", empty.toString()));
    assertThat(s.adminEnabled()).isFalse();
    assertThat(s.apiKeyRequired()).isFalse();
    assertThatThrownBy(() -> bare(Map.of("trynow.gateway.ticket-secret-file", empty.toString())))
        .hasMessageContaining("missing configuration trynow.gateway.ticket-secret");
  }

  @Test
  void aSecretFileThatCannotBeReadOrAValueBesideItFails(@TempDir Path dir) throws IOException {
    assertThatThrownBy(
            () -> bare(Map.of("trynow.gateway.ticket-secret-file", dir.resolve("nope").toString())))
        .hasMessageContaining("trynow.gateway.ticket-secret-file")
        .hasMessageContaining("nope");
    Path ticket = Files.writeString(dir.resolve("ticket-secret"), SECRET);
    assertThatThrownBy(() ->
            bare(
                Map.of(
                    "trynow.gateway.ticket-secret",
                    SECRET,
                    "trynow.gateway.ticket-secret-file",
                    ticket.toString())))
        .hasMessageContaining("not both");
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
    assertThatThrownBy(() -> settings(Map.of("trynow.gateway.sse-position-interval", "PT-1S")))
        .hasMessageContaining("trynow.gateway.sse-position-interval");
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
