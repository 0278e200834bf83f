package io.trynow.pool.config;

import io.quarkus.runtime.Startup;
import io.trynow.platform.template.TemplateRules;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.template.TemplatesConfig.Template;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pool's settings and templates, checked at startup: a bad value stops the service with a
 * message naming the key.
 */
@Startup
@Singleton
public class PoolSettings {

  private final PoolConfig config;
  private final Map<String, Template> templates;

  public PoolSettings(PoolConfig config, TemplatesConfig templates) {
    this.config = config;
    TemplateRules.check(templates.templates());
    this.templates = new TreeMap<>(templates.templates());
    check(config);
  }

  static void check(PoolConfig c) {
    positive("queue-timeout", c.queueTimeout());
    positive("expire-interval", c.expireInterval());
    positive("replenish-interval", c.replenishInterval());
    positive("republish-after", c.republishAfter());
    positive("provision-estimate", c.provisionEstimate());
    positive("rate-window", c.rateWindow());
    positive("position-interval", c.positionInterval());
    positive("target-interval", c.targetInterval());
    require(
        c.acquireConsumer().concurrency() >= 1 && c.acquireConsumer().concurrency() <= 4096,
        "acquire-consumer.concurrency",
        "must be 1..4096");
  }

  public PoolConfig config() {
    return config;
  }

  /** Templates by name, sorted. */
  public Map<String, Template> templates() {
    return templates;
  }

  public Optional<Template> template(String name) {
    return Optional.ofNullable(templates.get(name));
  }

  private static void positive(String key, Duration d) {
    require(!d.isNegative() && !d.isZero(), key, "must be positive");
  }

  private static void require(boolean ok, String key, String why) {
    if (!ok) {
      throw new IllegalArgumentException("invalid configuration trynow.pool." + key + ": " + why);
    }
  }
}
