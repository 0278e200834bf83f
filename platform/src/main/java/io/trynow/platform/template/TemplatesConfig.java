package io.trynow.platform.template;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The demo templates, read by every service from the same keys ({@code trynow.templates.<name>.*},
 * env {@code TRYNOW_TEMPLATES_<NAME>_...}, read by {@link TemplatesFromEnv}), under a prefix of
 * their own: a key below it that no field maps (a typo) fails startup naming the key.
 *
 * <p>Templates come only from the configuration the operator provides (Compose: a templates file;
 * Helm: {@code templates:} values rendered into a ConfigMap). There is no production default. The
 * sample template {@code hello} ({@code samples/hello/template.properties}) is active only in the
 * {@code dev} and {@code test} profiles (platform's META-INF/microprofile-config.properties) and
 * where it is passed explicitly: {@code ./trynow up}, system-tests' Stack and the benchmarks name
 * that file in {@code QUARKUS_CONFIG_LOCATIONS}.
 */
@ConfigMapping(prefix = "trynow.templates")
public interface TemplatesConfig {

  /**
   * {@code reserve_provision}'s in-flight cap (requested + provisioning records of a template) as a
   * multiple of {@code max-in-flight}: one provision claimed, placed and given a port waits behind
   * each of the provisioner's engine slots (provisioner-worker {@code EngineSlots}), so the engine
   * gets its next container as soon as one turns healthy. Both callers of the reserve use it: the
   * provisioner's slot refill and pool-service's replenisher (from a crowd's first acquire on).
   */
  int LOOKAHEAD = 2;

  /** The in-flight cap passed to {@code reserve_provision} for {@code maxInFlight}. */
  static int reserveCap(int maxInFlight) {
    return Math.max(1, maxInFlight) * LOOKAHEAD;
  }

  /** Templates by name; the name must be a DNS label ({@link io.trynow.model.Ids#TEMPLATE}). */
  @WithParentName
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

    /**
     * Most containers of this template in the Docker engine's hands at once (create → healthy) per
     * provisioner process. A started one (container healthy, route pending) no longer counts: the
     * next starts meanwhile. The store holds up to {@link #reserveCap} requested or provisioning
     * records, so the next ones are claimed, placed and given a port while the engine works
     * (provisioner-worker {@code EngineSlots}).
     */
    @WithDefault("4")
    int maxInFlight();

    /**
     * {@code reserve_provision}'s cap on requested + provisioning records: {@link #LOOKAHEAD} ×
     * {@code max-in-flight}.
     */
    default int reserveCap() {
      return TemplatesConfig.reserveCap(maxInFlight());
    }

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
     * A ready instance idle longer than this is recycled (replaced by a fresh one), so images and
     * settings roll and nothing stale is handed out.
     */
    @WithDefault("1h")
    Duration maxIdle();

    /**
     * Probe the instance's health path right before it is handed to a visitor (costs one HTTP round
     * trip on the acquire path); a failed probe discards it and the next ready one is tried, then
     * the visitor is queued.
     */
    @WithDefault("false")
    boolean probeBeforeClaim();

    /** Timeout of the probe right before the claim. */
    @WithDefault("500ms")
    Duration claimProbeTimeout();

    /** What the container may do to itself ({@code trynow.templates.<name>.hardening.*}). */
    Hardening hardening();

    /**
     * The on-claim hook ({@code trynow.templates.<name>.hook.*}): what tells an instance who it is
     * right after it is assigned to a visitor and before the visitor is answered. Off by default.
     */
    Hook hook();

    /**
     * Visitor fields the API accepts for this template ({@code POST /v1/demos {"fields": {...}}})
     * and passes to the on-claim hook, each with its schema ({@code
     * trynow.templates.<name>.fields.<field>.*}). A field not listed here is refused with 400.
     */
    @WithName("fields")
    Map<String, Field> fields();

    /**
     * Prefix of the tables the app keeps in its own database, given to the container as {@code
     * TRYNOW_TABLE_PREFIX}; must match {@code ^[a-z][a-z0-9_]{0,15}$} (checked when the template is
     * loaded), since an app can only put it into SQL as text.
     */
    Optional<String> tablePrefix();

    /** Whether anything runs between the Lua assign and the visitor's answer (probe or hook). */
    default boolean checksClaims() {
      return probeBeforeClaim() || hook().enabled();
    }

    /**
     * The template's failure circuit ({@code trynow.templates.<name>.circuit.*}): consecutive
     * provision failures stop provisioning for a while, so a broken template cannot storm.
     */
    Circuit circuit();

    /**
     * Placement constraints: labels a Docker host must carry ({@code trynow.hosts.<name>.labels.*})
     * for this template's instances to go there, e.g. {@code placement.disk=ssd}. Empty: any host.
     */
    @WithName("placement")
    Map<String, String> placement();

    /**
     * Pool size from a service target (docs/ARCHITECTURE.md); off unless {@code hit-rate} or {@code
     * max-wait} is set, and then {@code min-ready} stays the floor and {@code max-total} the
     * budget.
     */
    Slo slo();
  }

  /**
   * Hardening of a template's containers, on top of the limits and {@code cap-drop ALL} / {@code
   * no-new-privileges} that every container gets. What this machine's engine allows: see the
   * provisioner-worker README.
   */
  interface Hardening {
    /** The image's filesystem is mounted read-only; {@code /tmp} is a tmpfs (noexec, nosuid). */
    @WithDefault("true")
    boolean readOnlyRootfs();

    /** Size of the {@code /tmp} tmpfs in MiB. */
    @WithDefault("16")
    int tmpfsMb();

    /** Numeric {@code uid[:gid]} the app runs as (e.g. 65534:65534); unset: the image's user. */
    Optional<String> user();
  }

  /**
   * The on-claim hook of a template: {@code POST <instance><path>} with the JSON {@code
   * {instance_id, public_url, claim_id, expires_at, fields}} and the header {@code
   * X-Trynow-Signature: sha256=<hex HMAC-SHA256 of the body with secret>}; the container is given
   * the secret as {@code TRYNOW_HOOK_SECRET}. It must answer 2xx within {@code timeout} and be
   * idempotent per {@code claim_id} (a redelivered acquire calls it again with the same claim id).
   * A failure or timeout discards the instance; the visitor gets the next one. ({@code docker exec}
   * hooks are not built yet.)
   */
  interface Hook {
    /** {@code none} or {@code http}. */
    @WithDefault("none")
    String type();

    /** Path on the instance that the hook posts to. */
    @WithDefault("/_trynow/claim")
    String path();

    /** Deadline of one hook call, connect included (at most 30s). */
    @WithDefault("2s")
    Duration timeout();

    /** HMAC secret of the hook (at least 16 characters); required with {@code http}. */
    Optional<String> secret();

    /** True unless {@code type} is {@code none}. */
    default boolean enabled() {
      return !"none".equals(type());
    }
  }

  /** Schema of one visitor field. */
  interface Field {
    /** {@code string}, {@code integer} or {@code boolean}. */
    @WithDefault("string")
    String type();

    /** Whether a request without it is refused. */
    @WithDefault("false")
    boolean required();

    /** Longest string value (characters). */
    @WithDefault("100")
    int maxLength();

    /** Regular expression a string value must match as a whole (Java syntax). */
    Optional<String> pattern();

    /** Smallest integer value. */
    @WithDefault("-2147483648")
    long min();

    /** Largest integer value. */
    @WithDefault("2147483647")
    long max();
  }

  /** How provision failures open a template's failure circuit. */
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

  /**
   * What visitors may tolerate and what it may cost ({@code trynow.templates.<name>.slo.*}). The
   * pool keeps ready the smallest k with P(Poisson(λ·R) ≤ k) ≥ h, λ the arrival rate (EWMA), R the
   * refill time (a percentile of recent provisioning times).
   */
  interface Slo {
    /** Share of visitors served warm, 0 < h < 1 (e.g. 0.95); unset: no hit-rate target. */
    OptionalDouble hitRate();

    /**
     * Wait bound: at least {@code wait-percentile} of visitors wait at most this (the ready pool
     * covers the demand of the refill time minus this bound); unset: no wait target.
     */
    Optional<Duration> maxWait();

    /** Share of visitors the wait bound applies to, 0 < p < 1. */
    @WithDefault("0.95")
    double waitPercentile();

    /** Cost cap: most ready instances the target may ask for (max-total caps everything). */
    OptionalInt maxReady();

    /** Time constant of the arrival-rate EWMA. */
    @WithDefault("5m")
    Duration window();

    /**
     * Time constant of a second, faster EWMA (capped at {@code window}): the pool is sized for the
     * larger of the two rates, so a rising rate raises the target within about this long, while
     * {@code window} keeps it through short lulls.
     */
    @WithDefault("30s")
    Duration burstWindow();

    /** {@code burst-window}, capped at {@code window}. */
    default Duration effectiveBurstWindow() {
      return burstWindow().compareTo(window()) < 0 ? burstWindow() : window();
    }

    /**
     * Percentile of the recent provisioning times taken as the refill time R, 0 < q ≤ 1; unset (the
     * default): their mean, which is what the model needs (the number of refills under way depends
     * on the provisioning times only through their mean), with single slow samples damped.
     */
    OptionalDouble refillPercentile();

    /** Refill time assumed until three provisioning times have been measured. */
    @WithDefault("10s")
    Duration provisionEstimate();

    /**
     * The target rises at once but goes down by one at most this often; surplus ready instances are
     * retired one per step, too.
     */
    @WithDefault("30s")
    Duration scaleDownStep();

    /** True when a hit-rate or wait target is set. */
    default boolean enabled() {
      return hitRate().isPresent() || maxWait().isPresent();
    }
  }
}
