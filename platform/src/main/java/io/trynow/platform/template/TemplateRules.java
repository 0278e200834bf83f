package io.trynow.platform.template;

import io.trynow.model.Ids;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The one rule set for templates: pinned image, sane numbers, consistent limits, what Docker
 * accepts. Every service checks its templates with it at startup ({@link TemplatesCheck}), and the
 * container of an instance is built only from a template that passes it ({@code
 * ContainerSpec.forInstance}), so a template that starts the services also provisions. A violation
 * is an {@link IllegalArgumentException} naming the key, e.g. {@code trynow.templates.hello.image:
 * ...}.
 */
public final class TemplateRules {

  private static final Pattern REPO =
      Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern RUNTIME = Pattern.compile("[a-z][a-z0-9._-]{0,62}");
  private static final Pattern USER = Pattern.compile("[0-9]{1,10}(:[0-9]{1,10})?");

  /** What a template's {@code table-prefix} may be (it names database tables: no injection). */
  public static final Pattern TABLE_PREFIX = Pattern.compile("^[a-z][a-z0-9_]{0,15}$");

  /** The least memory Docker gives a container, in MiB: below it every create fails. */
  public static final int MIN_MEMORY_MB = 6;

  /** The most CPUs a template may ask for. */
  public static final int MAX_CPUS = 64;

  private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern PATH =
      Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*(\\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?");

  private TemplateRules() {}

  /** Checks all templates; at least one must exist. */
  public static void check(Map<String, ? extends Template> templates) {
    if (templates == null || templates.isEmpty()) {
      throw new IllegalArgumentException(
          "trynow.templates: no template configured (set trynow.templates.<name>.image)");
    }
    templates.forEach(TemplateRules::check);
  }

  /** Checks one template, {@code trynow.templates.<name>}. */
  public static void check(String name, Template t) {
    String k = "trynow.templates." + name + ".";
    if (!Ids.isTemplate(name)) {
      throw new IllegalArgumentException(
          "trynow.templates." + name + ": template names are lower-case DNS labels (a-z, 0-9, -)");
    }
    image(k + "image", t.image());
    require(PATH.matcher(t.healthPath()).matches(), k + "health-path", "must be an absolute path");
    positive(k + "health-timeout", t.healthTimeout());
    require(t.minReady() >= 0, k + "min-ready", "must be ≥ 0");
    require(t.maxTotal() >= 1, k + "max-total", "must be ≥ 1");
    require(
        t.minReady() <= t.maxTotal(),
        k + "min-ready",
        "(" + t.minReady() + ") must not exceed max-total (" + t.maxTotal() + ")");
    require(t.maxInFlight() >= 1, k + "max-in-flight", "must be ≥ 1");
    require(
        t.maxInFlight() <= t.maxTotal(),
        k + "max-in-flight",
        "(" + t.maxInFlight() + ") must not exceed max-total (" + t.maxTotal() + ")");
    require(t.maxQueue() >= 0, k + "max-queue", "must be ≥ 0");
    require(t.maxQueue() <= 100_000, k + "max-queue", "must be ≤ 100000");
    positive(k + "default-ttl", t.defaultTtl());
    positive(k + "extend-step", t.extendStep());
    positive(k + "max-lifetime", t.maxLifetime());
    require(
        t.defaultTtl().compareTo(t.maxLifetime()) <= 0,
        k + "default-ttl",
        "must not exceed max-lifetime");
    require(t.defaultTtl().toSeconds() >= 1, k + "default-ttl", "must be at least 1s");
    require(
        t.memoryMb() >= MIN_MEMORY_MB && t.memoryMb() <= 1_048_576,
        k + "memory-mb",
        "must be " + MIN_MEMORY_MB + "..1048576 (Docker's minimum is " + MIN_MEMORY_MB + " MiB)");
    require(t.cpus() > 0 && t.cpus() <= MAX_CPUS, k + "cpus", "must be > 0 and ≤ " + MAX_CPUS);
    require(t.pidsLimit() >= 1, k + "pids-limit", "must be ≥ 1");
    require(
        t.networkMode().equals("host") || t.networkMode().equals("bridge"),
        k + "network-mode",
        "must be host or bridge");
    require(
        t.containerPort() >= 1 && t.containerPort() <= 65535,
        k + "container-port",
        "must be 1..65535");
    t.runtime()
        .ifPresent(
            r -> require(RUNTIME.matcher(r).matches(), k + "runtime", "is not a runtime name"));
    positive(k + "max-idle", t.maxIdle());
    positive(k + "claim-probe-timeout", t.claimProbeTimeout());
    require(t.circuit().failureThreshold() >= 1, k + "circuit.failure-threshold", "must be ≥ 1");
    positive(k + "circuit.base-delay", t.circuit().baseDelay());
    positive(k + "circuit.max-delay", t.circuit().maxDelay());
    require(
        t.circuit().maxDelay().compareTo(t.circuit().baseDelay()) >= 0,
        k + "circuit.max-delay",
        "must not be below circuit.base-delay");
    slo(k + "slo.", t);
    hook(k + "hook.", t.hook());
    t.fields().forEach((field, f) -> field(k + "fields." + field, field, f));
    t.tablePrefix()
        .ifPresent(p ->
            require(
                TABLE_PREFIX.matcher(p).matches(),
                k + "table-prefix",
                "must match " + TABLE_PREFIX.pattern()));
    hardening(k + "hardening.", t.hardening());
    for (String e : t.env().keySet()) {
      require(ENV.matcher(e).matches(), k + "env." + e, "is not an environment variable name");
      require(
          !e.startsWith("TRYNOW_") && !e.equals("PORT") && !e.equals("BIND"),
          k + "env." + e,
          "is reserved: trynow tells every instance PORT, BIND and TRYNOW_* itself");
    }
  }

  private static void slo(String k, Template t) {
    TemplatesConfig.Slo s = t.slo();
    s.hitRate()
        .ifPresent(h -> require(h > 0 && h < 1, k + "hit-rate", "must be > 0 and < 1 (e.g. 0.95)"));
    s.maxWait().ifPresent(w -> require(!w.isNegative(), k + "max-wait", "must not be negative"));
    require(
        s.waitPercentile() > 0 && s.waitPercentile() < 1,
        k + "wait-percentile",
        "must be > 0 and < 1");
    s.maxReady().ifPresent(m -> require(m >= 0, k + "max-ready", "must be ≥ 0"));
    positive(k + "window", s.window());
    positive(k + "burst-window", s.burstWindow());
    s.refillPercentile()
        .ifPresent(q -> require(q > 0 && q <= 1, k + "refill-percentile", "must be > 0 and ≤ 1"));
    positive(k + "provision-estimate", s.provisionEstimate());
    positive(k + "scale-down-step", s.scaleDownStep());
  }

  private static void hardening(String k, TemplatesConfig.Hardening h) {
    require(h.tmpfsMb() >= 1 && h.tmpfsMb() <= 4096, k + "tmpfs-mb", "must be 1..4096");
    h.user()
        .ifPresent(
            u -> require(USER.matcher(u).matches(), k + "user", "must be a numeric uid[:gid]"));
  }

  private static void hook(String k, TemplatesConfig.Hook h) {
    require(
        h.type().equals("none") || h.type().equals("http"),
        k + "type",
        "must be none or http (docker exec hooks are not built yet)");
    if (!h.enabled()) {
      return;
    }
    require(PATH.matcher(h.path()).matches(), k + "path", "must be an absolute path");
    positive(k + "timeout", h.timeout());
    require(h.timeout().toSeconds() <= 30, k + "timeout", "must be at most 30s");
    require(
        h.secret().map(x -> x.length() >= 16).orElse(false),
        k + "secret",
        "an http hook needs a secret of at least 16 characters");
  }

  private static void field(String k, String name, TemplatesConfig.Field f) {
    require(VisitorFields.NAME.matcher(name).matches(), k, "field names are [a-z][a-z0-9_]{0,31}");
    require(
        f.type().equals("string") || f.type().equals("integer") || f.type().equals("boolean"),
        k + ".type",
        "must be string, integer or boolean");
    require(f.maxLength() >= 1 && f.maxLength() <= 1000, k + ".max-length", "must be 1..1000");
    require(f.min() <= f.max(), k + ".min", "must not exceed max");
    f.pattern()
        .ifPresent(p -> {
          try {
            VisitorFields.pattern(p);
          } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                k + ".pattern: is not a regular expression (" + e.getDescription() + ")");
          }
        });
  }

  /**
   * A pinned image: {@code repo:tag} (tag not {@code latest}) and/or {@code repo@sha256:<64 hex>}.
   */
  public static void image(String key, String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException(key + ": must name an image");
    }
    String ref = image.strip();
    String digest = null;
    int at = ref.indexOf('@');
    if (at >= 0) {
      digest = ref.substring(at + 1);
      ref = ref.substring(0, at);
      require(DIGEST.matcher(digest).matches(), key, "digest must be sha256:<64 hex>");
    }
    String tag = null;
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      tag = ref.substring(colon + 1);
      ref = ref.substring(0, colon);
      require(TAG.matcher(tag).matches(), key, "'" + tag + "' is not a valid tag");
      require(!tag.equals("latest"), key, "':latest' is not pinned: use a version tag or a digest");
    }
    require(REPO.matcher(ref).matches(), key, "'" + ref + "' is not a valid image name");
    require(
        tag != null || digest != null,
        key,
        "'" + image + "' is not pinned: add a version tag or a digest");
  }

  private static void positive(String key, Duration d) {
    require(d != null && !d.isNegative() && !d.isZero(), key, "must be positive");
  }

  private static void require(boolean ok, String key, String why) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": " + why);
    }
  }
}
