package io.trynow.proxysync.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shapes of proxy-sync's Caddy settings, read through the real config mapping from the
 * environment variables an operator sets: a wrong one is refused naming its key (what Hibernate
 * Validator's {@code @Pattern} did before; startup calls {@link CaddyConfigCheck#check}).
 */
class CaddyConfigCheckTest {

  private static CaddyConfig caddy(Map<String, String> env) {
    return new SmallRyeConfigBuilder()
        .addDefaultSources()
        .withMapping(CaddyConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new EnvConfigSource(env, 300))
        .build()
        .getConfigMapping(CaddyConfig.class);
  }

  @Test
  void theDefaultsAndWellShapedValuesPass() {
    assertThatCode(() -> CaddyConfigCheck.check(caddy(Map.of()))).doesNotThrowAnyException();
    assertThatCode(() ->
            CaddyConfigCheck.check(
                caddy(
                    Map.of(
                        "TRYNOW_CADDY_ADMIN_URL", "https://caddy.internal:2019/",
                        "TRYNOW_CADDY_SERVER_NAME", "demo_s-5",
                        "TRYNOW_CADDY_PAGES_UPSTREAM", "[::1]:8080"))))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> CaddyConfigCheck.check(caddy(Map.of("TRYNOW_CADDY_PAGES_UPSTREAM", "gw:8080"))))
        .doesNotThrowAnyException();
  }

  @Test
  void anAdminUrlWithAPathOrNoSchemeIsRefusedNamingItsKey() {
    for (String bad : new String[] {"127.0.0.1:2019", "http://caddy:2019/config", "ftp://c:1"}) {
      assertThatThrownBy(() -> CaddyConfigCheck.check(caddy(Map.of("TRYNOW_CADDY_ADMIN_URL", bad))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trynow.caddy.admin-url")
          .hasMessageContaining(bad);
    }
  }

  @Test
  void aServerNameThatIsNotASimpleNameIsRefused() {
    for (String bad : new String[] {"Trynow", "9lives", "a/b", "x".repeat(64)}) {
      assertThatThrownBy(
              () -> CaddyConfigCheck.check(caddy(Map.of("TRYNOW_CADDY_SERVER_NAME", bad))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trynow.caddy.server-name");
    }
  }

  @Test
  void aPagesUpstreamThatIsNotHostPortIsRefused() {
    for (String bad : new String[] {"http://gw:8080", "gw", "gw:port", "gw:123456"}) {
      assertThatThrownBy(
              () -> CaddyConfigCheck.check(caddy(Map.of("TRYNOW_CADDY_PAGES_UPSTREAM", bad))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trynow.caddy.pages-upstream");
    }
  }
}
