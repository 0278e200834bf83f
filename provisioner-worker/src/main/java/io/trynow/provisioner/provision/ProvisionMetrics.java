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

  /**
   * Registers every series of the configured templates at zero, so that dashboards and alerts
   * ({@code rate(...)}) see them before the first provision, and a first failure counts as an
   * increase.
   */
  ProvisionMetrics(MeterRegistry registry, java.util.Collection<String> templates) {
    this.registry = registry;
    for (String t : templates) {
      duration(t);
      for (String outcome : java.util.List.of("started", "failed", "gave_up")) {
        counter(t, outcome);
      }
    }
  }

  void provisioned(String template, Timer.Sample sample) {
    sample.stop(duration(template));
    count(template, "started");
  }

  private Timer duration(String template) {
    return Latency.histogram(PROVISION_DURATION)
        .description("claim to started")
        .tag("template", template)
        .register(registry);
  }

  void failed(String template, boolean permanent) {
    count(template == null ? "unknown" : template, permanent ? "failed" : "gave_up");
  }

  private void count(String template, String outcome) {
    counter(template, outcome).increment();
  }

  private Counter counter(String template, String outcome) {
    return Counter.builder(PROVISIONS)
        .description("provision requests by outcome")
        .tag("template", template)
        .tag("outcome", outcome)
        .register(registry);
  }
}
