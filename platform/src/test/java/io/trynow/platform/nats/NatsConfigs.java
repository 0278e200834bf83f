package io.trynow.platform.nats;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@link NatsConfig} from properties, mapped by SmallRye as in a service. */
final class NatsConfigs {

  private NatsConfigs() {}

  static NatsConfig of(Map<String, String> values) {
    Map<String, String> all = new HashMap<>();
    all.put("trynow.nats.connect-timeout", "500ms");
    all.put("trynow.nats.reconnect-wait", "100ms");
    all.putAll(values);
    return new SmallRyeConfigBuilder()
        .withMapping(NatsConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new MapBackedConfigSource("test", all) {})
        .build()
        .getConfigMapping(NatsConfig.class);
  }
}
