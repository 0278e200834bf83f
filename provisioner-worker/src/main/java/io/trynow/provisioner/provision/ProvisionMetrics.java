package io.trynow.provisioner.provision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.platform.metrics.Latency;

/** provisioner-worker metrics. Tags are low-cardinality: template and outcome, never an id. */
final class ProvisionMetrics {

  /**
   * {@code trynow_provisions_total{template,outcome}}: provisions by outcome ({@code started},
   * {@code failed}, {@code gave_up}).
   */
  static final String PROVISIONS = "trynow.provisions";

  /**
   * {@code trynow_provision_duration_seconds{template}}: claim to started, a histogram ({@link
   * Latency}).
   */
  static final String PROVISION_DURATION = "trynow.provision.duration";

  private final MeterRegistry registry;

  ProvisionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void provisioned(String template, Timer.Sample sample) {
    sample.stop(
        Latency.histogram(PROVISION_DURATION)
            .description("claim to started")
            .tag("template", template)
            .register(registry));
    count(template, "started");
  }

  void failed(String template, boolean permanent) {
    count(template == null ? "unknown" : template, permanent ? "failed" : "gave_up");
  }

  private void count(String template, String outcome) {
    Counter.builder(PROVISIONS)
        .description("provision requests by outcome")
        .tag("template", template)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}
