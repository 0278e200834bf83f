package io.trynow.provisioner.provision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** provisioner-worker metrics. Tags are low-cardinality: template and outcome, never an id. */
final class ProvisionMetrics {

  /** Provisions by template and outcome ({@code started}, {@code failed}, {@code gave_up}). */
  static final String PROVISIONS = "trynow_provisions_total";

  /** Claim → started, by template. */
  static final String PROVISION_SECONDS = "trynow_provision_seconds";

  private final MeterRegistry registry;

  ProvisionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void provisioned(String template, Timer.Sample sample) {
    sample.stop(
        Timer.builder(PROVISION_SECONDS)
            .description("claim to started")
            .tag("template", template)
            .publishPercentiles(0.5, 0.99)
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
