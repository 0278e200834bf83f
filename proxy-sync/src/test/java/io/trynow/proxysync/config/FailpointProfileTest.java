package io.trynow.proxysync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.trynow.platform.failpoint.Failpoints;
import io.trynow.proxysync.ProxySyncStartup;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The failpoint of proxy-sync, set by the one environment variable an operator could set by
 * mistake, is refused when the configuration runs in the prod profile (a packaged jar's default),
 * and accepted in the profiles tests run in.
 */
class FailpointProfileTest {

  private static SmallRyeConfig config(String profile) {
    return new SmallRyeConfigBuilder()
        .addDefaultSources()
        .withProfile(profile)
        .withMapping(ProxySyncConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(
            new EnvConfigSource(
                Map.of("TRYNOW_PROXY_SYNC_FAILPOINT_DELAY_BEFORE_MARK_READY", "10m"), 300))
        .build();
  }

  private static void start(SmallRyeConfig config) {
    ProxySyncStartup.refuseFailpointsInProd(
        config.getConfigMapping(ProxySyncConfig.class), config.getProfiles());
  }

  @Test
  void theProdProfileRefusesToStartNamingTheKey() {
    SmallRyeConfig prod = config("prod");
    assertThat(prod.getConfigMapping(ProxySyncConfig.class).failpointDelayBeforeMarkReady())
        .as("the environment variable reaches the setting")
        .contains(Duration.ofMinutes(10));
    assertThatThrownBy(() -> start(prod))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trynow.proxy-sync.failpoint-delay-before-mark-ready: ")
        .hasMessageContaining("prod");
  }

  @Test
  void theTestProfilesStart() {
    assertThatCode(() -> start(config("test"))).doesNotThrowAnyException();
    assertThatCode(() -> start(config(Failpoints.PROFILE))).doesNotThrowAnyException();
  }
}
