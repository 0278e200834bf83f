package io.trynow.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CORS settings are checked at startup: a bad entry stops the start naming its key. */
class CorsTest {

  record Config(
      Optional<List<String>> allowedOrigins,
      Map<String, List<String>> templates,
      Map<String, List<String>> publishableKeys,
      Duration maxAge)
      implements CorsConfig {}

  static Cors cors(List<String> allowed, Map<String, List<String>> templates) {
    return cors(allowed, templates, Map.of());
  }

  static Cors cors(
      List<String> allowed, Map<String, List<String>> templates, Map<String, List<String>> keys) {
    return new Cors(
        new Config(Optional.of(allowed), templates, keys, Duration.ofMinutes(10)), null);
  }

  @Test
  void originsAreExactAndLowerCased() {
    Cors c = cors(List.of("https://Shop.Example.com", "http://127.0.0.2:8000", " "), Map.of());
    assertThat(c.allowedOrigins())
        .containsExactly("https://shop.example.com", "http://127.0.0.2:8000");
    assertThat(c.isAllowed("https://SHOP.example.com")).isTrue();
    assertThat(c.isAllowed("https://shop.example.com:443")).isFalse();
    assertThat(c.isAllowed("null")).isFalse();
    assertThat(c.isAllowed(null)).isFalse();
  }

  @Test
  void whatIsNotAnOriginStopsTheStartNamingTheKey() {
    for (String bad :
        List.of(
            "*",
            "https://shop.example.com/",
            "shop.example.com",
            "ftp://x.y",
            "https://*.example.com",
            "https://a.example.com/path")) {
      assertThatThrownBy(() -> cors(List.of(bad), Map.of()))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trynow.gateway.cors.allowed-origins");
    }
  }

  @Test
  void aTemplatesListMustBeASubsetOfTheDeploymentsList() {
    assertThatThrownBy(
            () -> cors(List.of("https://a.example"), Map.of("shop", List.of("https://b.example"))))
        .hasMessageContaining("trynow.gateway.cors.templates.shop")
        .hasMessageContaining("must also be in");
    assertThatThrownBy(() ->
            cors(List.of("https://a.example"), Map.of("Not_A_Name", List.of("https://a.example"))))
        .hasMessageContaining("templates.Not_A_Name");
  }

  @Test
  void publishableKeysArePrefixedAndBoundToAllowedOrigins() {
    Cors ok =
        cors(
            List.of("https://a.example"),
            Map.of(),
            Map.of("pk_0123456789abcdef", List.of("https://a.example")));
    assertThat(ok.hasPublishableKeys()).isTrue();
    assertThatThrownBy(() ->
            cors(
                List.of("https://a.example"),
                Map.of(),
                Map.of("sk_0123456789abcdef", List.of("https://a.example"))))
        .hasMessageContaining("trynow.gateway.cors.publishable-keys.sk_0123456789abcdef");
    assertThatThrownBy(() ->
            cors(
                List.of("https://a.example"),
                Map.of(),
                Map.of("pk_0123456789abcdef", List.of("https://b.example"))))
        .hasMessageContaining("must also be in");
  }
}
