package io.trynow.platform.tracing;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Derives Quarkus' OpenTelemetry keys from {@code trynow.tracing.otlp-endpoint}: without it the SDK
 * is disabled ({@code quarkus.otel.sdk.disabled=true}, so nothing is recorded or exported); with it
 * the SDK runs and exports there. Its ordinal ({@value #ORDINAL}) is above the jars' defaults and
 * below application.properties, system properties and the environment, so an explicit {@code
 * quarkus.otel.*} setting still wins. Registered in {@code
 * META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 */
public final class TracingConfigSource implements ConfigSourceFactory {

  static final String ENDPOINT = "trynow.tracing.otlp-endpoint";
  static final int ORDINAL = 150;

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    ConfigValue v = context.getValue(ENDPOINT);
    String endpoint = v == null || v.getValue() == null ? "" : v.getValue().strip();
    Map<String, String> derived =
        endpoint.isEmpty()
            ? Map.of("quarkus.otel.sdk.disabled", "true")
            : Map.of(
                "quarkus.otel.sdk.disabled",
                "false",
                "quarkus.otel.exporter.otlp.traces.endpoint",
                endpoint);
    return List.of(new PropertiesConfigSource(derived, "trynow-tracing", ORDINAL));
  }
}
