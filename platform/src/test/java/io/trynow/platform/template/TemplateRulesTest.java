package io.trynow.platform.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import io.trynow.model.Ids;
import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.InvalidTemplateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every template is checked at startup with the one rule set; the message names the bad key, and a
 * template that passes also builds its container.
 */
public class TemplateRulesTest {

  public static Map<String, TemplatesConfig.Template> templates(Map<String, String> overrides) {
    return config(overrides).templates();
  }

  static TemplatesConfig config(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("trynow.templates.hello.image", "trynow/sample-hello:1");
    values.putAll(overrides);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(TemplatesConfig.class)
            .withConverter(Duration.class, 100, new DurationConverter())
            .withSources(new MapBackedConfigSource("test", values) {})
            .build();
    return config.getConfigMapping(TemplatesConfig.class);
  }

  static void rejects(String key, String value, String expectedInMessage) {
    assertThatThrownBy(() -> TemplateRules.check(templates(Map.of(key, value))))
        .as(key + "=" + value)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expectedInMessage);
  }

  @Test
  void theDefaultTemplateIsValid() {
    assertThatCode(() -> TemplateRules.check(templates(Map.of()))).doesNotThrowAnyException();
    for (String ok :
        new String[] {
          "busybox:1.36",
          "registry.example.com:5000/team/app:2.1.0",
          "app@sha256:" + "a".repeat(64),
          "ghcr.io/org/app:v1@sha256:" + "0".repeat(64)
        }) {
      assertThatCode(
              () -> TemplateRules.check(templates(Map.of("trynow.templates.hello.image", ok))))
          .as(ok)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void circuitIdleAndReservedEnvSettingsAreCheckedNamingTheKey() {
    String k = "trynow.templates.hello.";
    rejects(k + "circuit.failure-threshold", "0", k + "circuit.failure-threshold");
    rejects(k + "circuit.base-delay", "0s", k + "circuit.base-delay");
    rejects(k + "circuit.max-delay", "1s", k + "circuit.max-delay");
    rejects(k + "max-idle", "0s", k + "max-idle");
    rejects(k + "claim-probe-timeout", "0s", k + "claim-probe-timeout");
    rejects(k + "env.TRYNOW_PUBLIC_URL", "x", k + "env.TRYNOW_PUBLIC_URL");
    rejects(k + "env.PORT", "1", k + "env.PORT");
  }

  @Test
  void unpinnedImagesAreRejected() {
    String key = "trynow.templates.hello.image";
    rejects(key, "busybox:latest", key);
    rejects(key, "busybox", "not pinned");
    rejects(key, "registry:5000/busybox", "not pinned");
    rejects(key, "busybox@sha256:abc", "digest");
    rejects(key, "Bad/Name:1", "not a valid image name");
    rejects(key, "busybox:bad tag", "not a valid tag");
  }

  @Test
  void badNumbersNameTheirKey() {
    String k = "trynow.templates.hello.";
    rejects(k + "min-ready", "30", k + "min-ready");
    rejects(k + "max-total", "0", k + "max-total");
    rejects(k + "max-in-flight", "0", k + "max-in-flight");
    rejects(k + "max-queue", "-1", k + "max-queue");
    rejects(k + "default-ttl", "0s", k + "default-ttl");
    rejects(k + "default-ttl", "3h", k + "default-ttl");
    rejects(k + "memory-mb", "1", k + "memory-mb");
    rejects(k + "cpus", "0", k + "cpus");
    rejects(k + "network-mode", "weird", k + "network-mode");
    rejects(k + "health-path", "healthz", k + "health-path");
    rejects(k + "container-port", "70000", k + "container-port");
    rejects(k + "runtime", "Bad Runtime", k + "runtime");
    rejects(k + "env.\"1BAD\"", "x", k + "env.1BAD");
  }

  @Test
  void badTemplateNamesAreRejected() {
    assertThatThrownBy(
            () -> TemplateRules.check(templates(Map.of("trynow.templates.Bad_Name.image", "a:1"))))
        .hasMessageContaining("trynow.templates.Bad_Name");
  }

  @Test
  void aTemplateBelowDockersMemoryMinimumIsRefusedAtStartupNamingTheKey() {
    String key = "trynow.templates.hello.memory-mb";
    for (String mb : new String[] {"4", "5"}) {
      assertThatThrownBy(() -> new TemplatesCheck(config(Map.of(key, mb))))
          .as(mb + " MiB")
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    }
    assertThatCode(() -> new TemplatesCheck(config(Map.of(key, "6")))).doesNotThrowAnyException();
  }

  @Test
  void aTemplateThatPassesStartupBuildsAContainerAndOneThatFailsDoesNot() {
    String k = "trynow.templates.hello.";
    String[][] cases = {
      {k + "memory-mb", "5"},
      {k + "memory-mb", "6"},
      {k + "cpus", "64"},
      {k + "cpus", "65"},
      {k + "runtime", "runsc"},
      {k + "runtime", "9runtime"},
      {k + "hardening.tmpfs-mb", "0"},
      {k + "hardening.user", "nobody"},
      {k + "hardening.user", "65534:65534"},
      {k + "table-prefix", "Shop"},
      {k + "image", "busybox"},
    };
    for (String[] c : cases) {
      TemplatesConfig.Template t = templates(Map.of(c[0], c[1])).get("hello");
      boolean atStartup = passes(() -> TemplateRules.check("hello", t));
      boolean atProvision =
          passes(() -> ContainerSpec.forInstance(Ids.newInstanceId(), "hello", t, 20001, "c", "h"));
      assertThat(atProvision).as(c[0] + "=" + c[1]).isEqualTo(atStartup);
    }
  }

  private static boolean passes(Runnable r) {
    try {
      r.run();
      return true;
    } catch (IllegalArgumentException | InvalidTemplateException e) {
      return false;
    }
  }
}
