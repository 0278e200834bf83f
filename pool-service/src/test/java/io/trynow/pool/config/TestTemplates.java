package io.trynow.pool.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import io.trynow.platform.template.TemplatesConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Templates as the service reads them: {@code hello} with the defaults, plus {@code overrides}. */
public final class TestTemplates {

  private TestTemplates() {}

  public static Map<String, TemplatesConfig.Template> of(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("trynow.templates.hello.image", "trynow/sample-hello:1");
    values.putAll(overrides);
    return new SmallRyeConfigBuilder()
        .withMapping(TemplatesConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new MapBackedConfigSource("test", values) {})
        .build()
        .getConfigMapping(TemplatesConfig.class)
        .templates();
  }
}
