package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import io.smallrye.config.common.MapBackedConfigSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service's consumer group extends {@link ConsumerSettings} with its own defaults; the keys are
 * the group's, each overridable by config, and the spec takes them through one path.
 */
class ConsumerSettingsMappingTest {

  @ConfigMapping(prefix = "svc")
  interface Svc {
    Group consumer();

    interface Group extends ConsumerSettings {
      @Override
      @WithDefault("svc-durable")
      String durable();

      @Override
      @WithDefault("6s")
      Duration ackWait();

      @Override
      @WithDefault("1s,2s")
      List<Duration> backoff();

      @Override
      @WithDefault("7")
      int maxDeliver();

      @Override
      @WithDefault("3")
      int concurrency();
    }
  }

  private static Svc.Group load(Map<String, String> values) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(Svc.class)
            .withSources(new MapBackedConfigSource("test", values, 500) {})
            .build();
    return config.getConfigMapping(Svc.class).consumer();
  }

  @Test
  void theGroupsDefaultsApplyAndEveryKeyCanBeSet() {
    Svc.Group d = load(Map.of());
    ConsumerSpec spec = ConsumerSpec.of("S", "s.>", d);
    assertThat(spec.durable()).isEqualTo("svc-durable");
    assertThat(spec.ackWait()).isEqualTo(Duration.ofSeconds(6));
    assertThat(spec.maxDeliver()).isEqualTo(7);
    assertThat(spec.concurrency()).isEqualTo(3);
    assertThat(spec.maxAckPending()).isEqualTo(12);
    assertThat(spec.inProgressEvery()).isEqualTo(Duration.ofSeconds(2));

    Svc.Group set =
        load(
            Map.of(
                "svc.consumer.ack-wait", "9s",
                "svc.consumer.in-progress-every", "1s",
                "svc.consumer.max-ack-pending", "50"));
    ConsumerSpec tuned = ConsumerSpec.of("S", "s.>", set);
    assertThat(tuned.ackWait()).isEqualTo(Duration.ofSeconds(9));
    assertThat(tuned.inProgressEvery()).isEqualTo(Duration.ofSeconds(1));
    assertThat(tuned.maxAckPending()).isEqualTo(50);
  }
}
