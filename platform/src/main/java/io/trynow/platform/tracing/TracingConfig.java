package io.trynow.platform.tracing;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * OpenTelemetry tracing ({@code trynow.tracing.*}, every service). Off unless an OTLP endpoint is
 * set: then the SDK runs ({@link TracingConfigSource} turns {@code quarkus.otel.sdk.disabled} off),
 * HTTP requests are traced by Quarkus and NATS messages carry the W3C trace context ({@link
 * Tracing}). Sampling, protocol and headers are Quarkus' own {@code quarkus.otel.*} keys.
 */
@ConfigMapping(prefix = "trynow.tracing")
public interface TracingConfig {

  /**
   * Where spans are exported with OTLP, e.g. {@code http://otel-collector:4317} (gRPC; set {@code
   * quarkus.otel.exporter.otlp.traces.protocol=http/protobuf} for an HTTP collector on 4318).
   * Unset: tracing is off (no spans, no trace headers, nothing exported).
   */
  Optional<String> otlpEndpoint();
}
