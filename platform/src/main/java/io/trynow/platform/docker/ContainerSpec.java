package io.trynow.platform.docker;

import io.trynow.model.Ids;
import io.trynow.model.Labels;
import io.trynow.platform.template.TemplateRules;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything needed to create one instance's container. Built from a template by {@link
 * #forInstance}; a template that breaks {@link TemplateRules} (the rules every service checks at
 * startup) is rejected here, before the engine sees anything.
 *
 * @param hostPort the instance's port on the host (allocated in Valkey); health and the proxy use
 *     127.0.0.1:hostPort in both network modes
 * @param containerPort the app's port inside the container ({@code bridge} only)
 * @param publishHost the host address a {@code bridge} port is published on, or a {@code host}
 *     network instance binds (told in {@code BIND})
 */
public record ContainerSpec(
    String name,
    String image,
    Map<String, String> labels,
    Map<String, String> env,
    long memoryBytes,
    long nanoCpus,
    long pidsLimit,
    NetworkMode networkMode,
    int hostPort,
    int containerPort,
    String publishHost,
    Optional<String> runtime,
    Hardening hardening) {

  /**
   * What the container may do to itself, besides the limits and {@code cap-drop ALL} / {@code
   * no-new-privileges} every container gets.
   *
   * @param readOnlyRootfs the image's filesystem is read-only; {@code /tmp} is a tmpfs
   * @param tmpfsMb size of the {@code /tmp} tmpfs (with a read-only root filesystem)
   * @param user the user (and group) the app runs as, e.g. {@code 65534:65534}; empty: the image's
   */
  public record Hardening(boolean readOnlyRootfs, int tmpfsMb, Optional<String> user) {
    /** Nothing beyond the limits (tests, benchmarks). */
    public static final Hardening NONE = new Hardening(false, 0, Optional.empty());
  }

  /** How the app is reached. */
  public enum NetworkMode {
    /** Shares the host's network; the app is told its port in {@code PORT}. */
    HOST,
    /**
     * Own network namespace; {@code containerPort} is published on {@code publishHost:hostPort}.
     */
    BRIDGE
  }

  public ContainerSpec {
    labels = Map.copyOf(labels);
    env = Map.copyOf(env);
  }

  public String instanceId() {
    return labels.get(Labels.INSTANCE);
  }

  public String cluster() {
    return labels.get(Labels.CLUSTER);
  }

  /** The identity variables every container gets (a template's env may not set them). */
  public static final String ENV_INSTANCE_ID = "TRYNOW_INSTANCE_ID";

  public static final String ENV_TEMPLATE = "TRYNOW_TEMPLATE";
  public static final String ENV_PUBLIC_URL = "TRYNOW_PUBLIC_URL";
  public static final String ENV_HEALTH_PATH = "TRYNOW_HEALTH_PATH";

  /** The HMAC secret an {@code http} on-claim hook is signed with (only for such templates). */
  public static final String ENV_HOOK_SECRET = "TRYNOW_HOOK_SECRET";

  /** The template's {@code table-prefix}, validated {@code ^[a-z][a-z0-9_]{0,15}$}. */
  public static final String ENV_TABLE_PREFIX = "TRYNOW_TABLE_PREFIX";

  /** {@link #forInstance(String, String, Template, int, String, String, String)} without a URL. */
  public static ContainerSpec forInstance(
      String instanceId,
      String templateName,
      Template t,
      int hostPort,
      String cluster,
      String publishHost) {
    return forInstance(instanceId, templateName, t, hostPort, cluster, publishHost, null);
  }

  /**
   * The container of instance {@code instanceId} of template {@code templateName}. Besides the
   * template's env it is told who it is, since that is known before any visitor is: {@code
   * TRYNOW_INSTANCE_ID}, {@code TRYNOW_TEMPLATE}, {@code TRYNOW_PUBLIC_URL} (its public URL, from
   * {@code Endpoints}), {@code TRYNOW_HEALTH_PATH} and {@code PORT}; these win over the template's
   * env.
   *
   * @param cluster the installation's Valkey key prefix, stored in the {@code trynow.cluster} label
   * @param publicUrl the demo's public URL ({@code Endpoints.publicUrl}), or null
   * @throws InvalidTemplateException when the template cannot run (the message names the key)
   */
  public static ContainerSpec forInstance(
      String instanceId,
      String templateName,
      Template t,
      int hostPort,
      String cluster,
      String publishHost,
      String publicUrl) {
    Ids.requireInstance(instanceId);
    try {
      TemplateRules.check(templateName, t);
    } catch (IllegalArgumentException e) {
      throw new InvalidTemplateException(e.getMessage());
    }
    if (hostPort < 1 || hostPort > 65535) {
      throw new IllegalArgumentException("host port out of range: " + hostPort);
    }
    NetworkMode mode = NetworkMode.valueOf(t.networkMode().toUpperCase(Locale.ROOT));
    Map<String, String> env = new LinkedHashMap<>();
    env.putAll(t.env());
    env.put("PORT", String.valueOf(mode == NetworkMode.HOST ? hostPort : t.containerPort()));
    if (mode == NetworkMode.HOST) {
      // on the host's network the app binds the host's instance address (127.0.0.2 on a second
      // host of one machine, the host's own address elsewhere)
      env.put("BIND", publishHost);
    } else {
      // in its own network namespace the app must listen on every address of it, or the engine's
      // published port reaches nothing (a template may not set BIND: TemplateRules)
      env.put("BIND", "0.0.0.0");
    }
    env.put(ENV_INSTANCE_ID, instanceId);
    env.put(ENV_TEMPLATE, templateName);
    env.put(ENV_HEALTH_PATH, t.healthPath());
    if (publicUrl != null) {
      env.put(ENV_PUBLIC_URL, publicUrl);
    }
    if ("http".equals(t.hook().type())) {
      t.hook().secret().ifPresent(secret -> env.put(ENV_HOOK_SECRET, secret));
    }
    t.tablePrefix().ifPresent(p -> env.put(ENV_TABLE_PREFIX, p));
    Map<String, String> labels =
        Map.of(
            Labels.MANAGED, "true",
            Labels.INSTANCE, instanceId,
            Labels.TEMPLATE, templateName,
            Labels.CLUSTER, cluster);
    return new ContainerSpec(
        Labels.containerName(instanceId),
        t.image().strip(),
        labels,
        env,
        t.memoryMb() * 1024L * 1024L,
        Math.round(t.cpus() * 1e9),
        t.pidsLimit(),
        mode,
        hostPort,
        t.containerPort(),
        publishHost,
        t.runtime(),
        new Hardening(
            t.hardening().readOnlyRootfs(), t.hardening().tmpfsMb(), t.hardening().user()));
  }
}
