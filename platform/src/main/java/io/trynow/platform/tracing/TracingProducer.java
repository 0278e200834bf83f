package io.trynow.platform.tracing;

import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;

/**
 * The {@link Tracing} bean: over Quarkus' {@link OpenTelemetry}, or {@link Tracing#NOOP} while
 * tracing is off.
 */
@Singleton
public class TracingProducer {

  @Produces
  @Singleton
  Tracing tracing(OpenTelemetry otel, TracingConfig config) {
    if (config.otlpEndpoint().isEmpty()) {
      // off: no message spans and no trace headers, whatever Quarkus' SDK does with HTTP
      return Tracing.NOOP;
    }
    validate(config.otlpEndpoint().get());
    return new Tracing(otel);
  }

  static void validate(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          TracingConfigSource.ENDPOINT + ": not a URL: " + endpoint, e);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          TracingConfigSource.ENDPOINT
              + " must be an http(s) URL such as http://otel-collector:4317, not "
              + endpoint);
    }
  }
}
