package io.trynow.platform.docker;

import io.trynow.platform.template.TemplatesConfig.Slo;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** A template value for tests that do not boot Quarkus. */
record FixedTemplate(
    String image,
    String networkMode,
    int memoryMb,
    double cpus,
    long pidsLimit,
    int containerPort,
    Optional<String> runtime,
    Map<String, String> env)
    implements Template {

  static FixedTemplate of(String image) {
    return new FixedTemplate(image, "host", 32, 0.5, 64, 8080, Optional.empty(), Map.of());
  }

  FixedTemplate withNetworkMode(String mode) {
    return new FixedTemplate(image, mode, memoryMb, cpus, pidsLimit, containerPort, runtime, env);
  }

  FixedTemplate withEnv(Map<String, String> e) {
    return new FixedTemplate(
        image, networkMode, memoryMb, cpus, pidsLimit, containerPort, runtime, e);
  }

  @Override
  public Map<String, String> placement() {
    return Map.of();
  }

  @Override
  public String healthPath() {
    return "/healthz";
  }

  @Override
  public Duration healthTimeout() {
    return Duration.ofSeconds(20);
  }

  @Override
  public int minReady() {
    return 1;
  }

  @Override
  public int maxTotal() {
    return 10;
  }

  @Override
  public int maxInFlight() {
    return 2;
  }

  @Override
  public int maxQueue() {
    return 10;
  }

  @Override
  public Duration defaultTtl() {
    return Duration.ofMinutes(15);
  }

  @Override
  public Duration extendStep() {
    return Duration.ofMinutes(15);
  }

  @Override
  public Duration maxLifetime() {
    return Duration.ofHours(2);
  }

  @Override
  public io.trynow.platform.template.TemplatesConfig.Hook hook() {
    return new io.trynow.platform.template.NoHook();
  }

  @Override
  public Map<String, io.trynow.platform.template.TemplatesConfig.Field> fields() {
    return Map.of();
  }

  @Override
  public Optional<String> tablePrefix() {
    return Optional.empty();
  }

  @Override
  public io.trynow.platform.template.TemplatesConfig.Hardening hardening() {
    return new io.trynow.platform.template.TemplatesConfig.Hardening() {
      @Override
      public boolean readOnlyRootfs() {
        return true;
      }

      @Override
      public int tmpfsMb() {
        return 16;
      }

      @Override
      public Optional<String> user() {
        return Optional.of("65534:65534");
      }
    };
  }

  @Override
  public Duration maxIdle() {
    return Duration.ofHours(1);
  }

  @Override
  public boolean probeBeforeClaim() {
    return false;
  }

  @Override
  public Duration claimProbeTimeout() {
    return Duration.ofMillis(500);
  }

  @Override
  public io.trynow.platform.template.TemplatesConfig.Circuit circuit() {
    return new io.trynow.platform.template.TemplatesConfig.Circuit() {
      @Override
      public int failureThreshold() {
        return 3;
      }

      @Override
      public Duration baseDelay() {
        return Duration.ofSeconds(5);
      }

      @Override
      public Duration maxDelay() {
        return Duration.ofMinutes(5);
      }
    };
  }

  @Override
  public Slo slo() {
    return new Slo() {
      @Override
      public OptionalDouble hitRate() {
        return OptionalDouble.empty();
      }

      @Override
      public Optional<Duration> maxWait() {
        return Optional.empty();
      }

      @Override
      public double waitPercentile() {
        return 0.95;
      }

      @Override
      public OptionalInt maxReady() {
        return OptionalInt.empty();
      }

      @Override
      public Duration window() {
        return Duration.ofMinutes(5);
      }

      @Override
      public Duration burstWindow() {
        return Duration.ofSeconds(30);
      }

      @Override
      public OptionalDouble refillPercentile() {
        return OptionalDouble.empty();
      }

      @Override
      public Duration provisionEstimate() {
        return Duration.ofSeconds(10);
      }

      @Override
      public Duration scaleDownStep() {
        return Duration.ofSeconds(30);
      }
    };
  }
}
