package io.trynow.platform.template;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The demo templates, read by every service from the same keys ({@code trynow.templates.<name>.*},
 * env {@code TRYNOW_TEMPLATES_<NAME>_...}). The sample template {@code hello} is the default of the
 * local stack and of the tests (platform's META-INF/microprofile-config.properties).
 */
@ConfigMapping(prefix = "trynow")
public interface TemplatesConfig {

  /** Templates by name; the name must be a DNS label ({@link io.trynow.model.Ids#TEMPLATE}). */
  Map<String, Template> templates();

  /** One template. */
  interface Template {
    /** Image, pinned by tag or digest; {@code :latest} and untagged images are rejected. */
    String image();

    /** Path polled on the instance until it answers 2xx. */
    @WithDefault("/")
    String healthPath();

    /** Deadline for the health path to answer after start. */
    @WithDefault("60s")
    Duration healthTimeout();

    /** Ready instances kept warm. */
    @WithDefault("2")
    int minReady();

    /** Most live instances (any state but terminated/failed). */
    @WithDefault("20")
    int maxTotal();

    /** Most instances being provisioned at once. */
    @WithDefault("4")
    int maxInFlight();

    /** Most visitors waiting in the queue when the pool is empty. */
    @WithDefault("100")
    int maxQueue();

    /** TTL given at acquire. */
    @WithDefault("15m")
    Duration defaultTtl();

    /** Largest single extension. */
    @WithDefault("15m")
    Duration extendStep();

    /** Hard cap from assignment: no extension goes past it. */
    @WithDefault("2h")
    Duration maxLifetime();

    /** Memory limit in MiB. */
    @WithDefault("128")
    int memoryMb();

    /** CPU limit (cores, fractional). */
    @WithDefault("0.5")
    double cpus();

    /** Process limit. */
    @WithDefault("128")
    long pidsLimit();

    /** {@code host} (the app listens on 127.0.0.1:$PORT) or {@code bridge} (published port). */
    @WithDefault("host")
    String networkMode();

    /** Port the app listens on inside the container, for {@code bridge} mode. */
    @WithDefault("8080")
    int containerPort();

    /** Optional OCI runtime, e.g. {@code runsc}. */
    Optional<String> runtime();

    /** Extra environment for the container. */
    @WithName("env")
    Map<String, String> env();

    /**
     * The template's failure circuit ({@code trynow.templates.<name>.circuit.*}): consecutive
     * provision failures stop provisioning for a while, so a broken template cannot storm.
     */
    Circuit circuit();
  }

  /** How provision failures open a template's failure circuit (see DESIGN §9). */
  interface Circuit {
    /** Consecutive failed provisions that open the circuit. */
    @WithDefault("3")
    int failureThreshold();

    /**
     * How long the first opening lasts before one probe is provisioned; each failed probe doubles
     * it. Jittered: an opening lasts between half of its delay and the whole of it.
     */
    @WithDefault("5s")
    Duration baseDelay();

    /** The cap of an opening's delay. */
    @WithDefault("5m")
    Duration maxDelay();

    /** The policy as the store takes it. */
    default io.trynow.platform.state.CircuitPolicy policy() {
      return new io.trynow.platform.state.CircuitPolicy(
          failureThreshold(), baseDelay(), maxDelay());
    }
  }
}
