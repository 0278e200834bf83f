package io.trynow.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pieces of tracing that need no stack: which Quarkus keys the endpoint setting derives, the
 * endpoint's validation, span names without ids, and the W3C context a publish writes and a
 * consumer continues (SDK in memory; the no-op tracing writes nothing). The propagation itself is
 * proven on a real stack (system-tests TracingSystemIT).
 */
class TracingTest {

  private static SmallRyeConfig config(Map<String, String> props) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(props, "test", 250))
        .withSources(new TracingConfigSource())
        .build();
  }

  @Test
  void withoutAnEndpointTheSdkIsOffAndWithOneItExportsThere() {
    assertThat(config(Map.of()).getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
    SmallRyeConfig on = config(Map.of("trynow.tracing.otlp-endpoint", "http://collector:4317"));
    assertThat(on.getValue("quarkus.otel.sdk.disabled", Boolean.class)).isFalse();
    assertThat(on.getValue("quarkus.otel.exporter.otlp.traces.endpoint", String.class))
        .isEqualTo("http://collector:4317");
    // an explicit Quarkus key wins over the derived one
    SmallRyeConfig forced =
        config(
            Map.of(
                "trynow.tracing.otlp-endpoint", "http://collector:4317",
                "quarkus.otel.sdk.disabled", "true"));
    assertThat(forced.getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
  }

  @Test
  void aBadEndpointIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> TracingProducer.validate("collector:4317"))
        .hasMessageContaining("trynow.tracing.otlp-endpoint");
    assertThatThrownBy(() -> TracingProducer.validate("http://"))
        .hasMessageContaining("trynow.tracing.otlp-endpoint");
    TracingProducer.validate("https://otel.example:4318");
  }

  @Test
  void spanNamesKeepTheSubjectFamilyOnly() {
    assertThat(Tracing.family("trynow.provision.hello")).isEqualTo("trynow.provision");
    assertThat(Tracing.family("trynow.events.instance.i-1.ready")).isEqualTo("trynow.events");
    assertThat(Tracing.family("plain")).isEqualTo("plain");
  }

  @Test
  void aPublishCarriesTheCurrentTraceAndTheConsumerContinuesIt() {
    SpanContext remote =
        SpanContext.createFromRemoteParent(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    Tracing tracing = new Tracing(sdk);
    try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
      Headers h = new Headers();
      Span publish = tracing.publish("trynow.provision.hello", h);
      publish.end();
      assertThat(h.getFirst("traceparent"))
          .isEqualTo(
              "00-0af7651916cd43dd8448eb211c80319c-"
                  + publish.getSpanContext().getSpanId()
                  + "-01");
      Span consume = tracing.consume("provisioner", "trynow.provision.hello", h);
      assertThat(consume.getSpanContext().getTraceId()).isEqualTo(remote.getTraceId());
      consume.end();

      Headers none = new Headers();
      Tracing.NOOP.publish("trynow.provision.hello", none).end();
      assertThat(none.getFirst("traceparent")).as("tracing off writes nothing").isNull();
    }
    // a message without trace context starts a trace of its own
    Span fresh = tracing.consume("provisioner", "trynow.provision.hello", new Headers());
    assertThat(fresh.getSpanContext().getTraceId()).isNotEqualTo(remote.getTraceId());
    assertThat(fresh.getSpanContext().isValid()).isTrue();
    sdk.close();
  }
}
