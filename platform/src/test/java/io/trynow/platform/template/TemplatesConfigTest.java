package io.trynow.platform.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Templates live under their own prefix: a typo below {@code trynow.templates} fails, keys of other
 * services' roots do not; the sample template exists only in the dev and test profiles.
 */
class TemplatesConfigTest {

  private static final String PROFILE_PREFIX = "%dev,test.";

  private static SmallRyeConfig config(String profile, Map<String, String> values) {
    return config(profile, values, Map.of());
  }

  /**
   * As a service builds it: default sources, discovered interceptors, {@code values} as a
   * properties file (below the environment) and {@code env} as the environment.
   */
  private static SmallRyeConfig config(
      String profile, Map<String, String> values, Map<String, String> env) {
    return new SmallRyeConfigBuilder()
        .addDefaultSources()
        .addDiscoveredInterceptors()
        .withSources(new EnvConfigSource(env, 300))
        .withProfile(profile)
        .withMapping(TemplatesConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new MapBackedConfigSource("test", values, 250) {})
        .build();
  }

  @Test
  void theProductionProfileHasNoTemplate() {
    assertThat(config("prod", Map.of()).getConfigMapping(TemplatesConfig.class).templates())
        .isEmpty();
  }

  @Test
  void theDevAndTestProfilesHaveTheSampleTemplate() {
    for (String profile : new String[] {"dev", "test"}) {
      TemplatesConfig.Template hello =
          config(profile, Map.of())
              .getConfigMapping(TemplatesConfig.class)
              .templates()
              .get("hello");
      assertThat(hello).as(profile).isNotNull();
      assertThat(hello.image()).isEqualTo("trynow/sample-hello:1");
      assertThat(hello.healthPath()).isEqualTo("/healthz");
    }
  }

  @Test
  void anOperatorsTemplateIsMappedWithDefaults() {
    TemplatesConfig.Template shop =
        config("prod", Map.of("trynow.templates.shop.image", "example/shop:1.2"))
            .getConfigMapping(TemplatesConfig.class)
            .templates()
            .get("shop");
    assertThat(shop.image()).isEqualTo("example/shop:1.2");
    assertThat(shop.minReady()).isEqualTo(2);
    assertThat(shop.defaultTtl()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void theShopSamplesHookFieldsAndTablePrefixAreMapped() throws IOException {
    Properties p = new Properties();
    try (Reader r =
        Files.newBufferedReader(
            repoRoot().resolve("samples/shop/template.properties"),
            java.nio.charset.StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, String> values = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
    values.put("TRYNOW_SHOP_HOOK_SECRET", "a-secret-of-at-least-16");
    TemplatesConfig.Template shop =
        config("prod", values).getConfigMapping(TemplatesConfig.class).templates().get("shop");
    assertThat(shop.hook().enabled()).isTrue();
    assertThat(shop.hook().type()).isEqualTo("http");
    assertThat(shop.hook().secret()).contains("a-secret-of-at-least-16");
    assertThat(shop.hook().timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(shop.tablePrefix()).contains("shop_");
    assertThat(shop.fields()).containsOnlyKeys("shop_name");
    assertThat(shop.fields().get("shop_name").pattern()).contains("[A-Za-z0-9 .-]+");
    assertThat(shop.fields().get("shop_name").required()).isFalse();
    assertThat(shop.checksClaims()).isTrue();
    // a template without them: no hook, no fields
    TemplatesConfig.Template plain =
        config("prod", Map.of("trynow.templates.plain.image", "example/app:1"))
            .getConfigMapping(TemplatesConfig.class)
            .templates()
            .get("plain");
    assertThat(plain.hook().enabled()).isFalse();
    assertThat(plain.fields()).isEmpty();
    assertThat(plain.tablePrefix()).isEmpty();
    assertThat(plain.checksClaims()).isFalse();
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("samples/shop"))) {
      p = p.getParent();
    }
    return java.util.Objects.requireNonNull(p, "repository root");
  }

  @Test
  void aTypoBelowTheTemplatesPrefixFailsNamingTheKey() {
    assertThatThrownBy(() ->
            config(
                "prod",
                Map.of(
                    "trynow.templates.shop.image", "example/shop:1.2",
                    "trynow.templates.shop.min-redy", "3")))
        .hasMessageContaining("trynow.templates.shop.min-redy");
  }

  @Test
  void keysOfOtherRootsAreNotThisMappingsConcern() {
    TemplatesConfig mapped =
        config(
                "prod",
                Map.of(
                    "trynow.templates.shop.image", "example/shop:1.2",
                    "trynow.caddy.admin-url", "http://127.0.0.1:2019",
                    "trynow.ports.first", "20000"))
            .getConfigMapping(TemplatesConfig.class);
    assertThat(mapped.templates()).containsOnlyKeys("shop");
  }

  @Test
  void aTemplateDefinedOnlyByEnvironmentVariablesIsMappedWhateverItsName() {
    Map<String, TemplatesConfig.Template> t =
        config(
                "prod",
                Map.of(),
                Map.of(
                    "TRYNOW_TEMPLATES_SHOP_IMAGE", "example/shop:1.2",
                    "TRYNOW_TEMPLATES_SHOP_HEALTH_PATH", "/healthz",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_IMAGE", "example/my-shop:3",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_MIN_READY", "5",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_CIRCUIT_FAILURE_THRESHOLD", "9",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_SLO_HIT_RATE", "0.9",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_ENV_GREETING_TEXT", "hi",
                    "TRYNOW_TEMPLATES_MY_SHOP_2_PLACEMENT_DISK", "ssd"))
            .getConfigMapping(TemplatesConfig.class)
            .templates();
    assertThat(t).containsOnlyKeys("shop", "my-shop-2");
    assertThat(t.get("shop").healthPath()).isEqualTo("/healthz");
    TemplatesConfig.Template mine = t.get("my-shop-2");
    assertThat(mine.image()).isEqualTo("example/my-shop:3");
    assertThat(mine.minReady()).isEqualTo(5);
    assertThat(mine.circuit().failureThreshold()).isEqualTo(9);
    assertThat(mine.slo().hitRate()).hasValue(0.9);
    // The container's variable keeps its name (not SmallRye's "greeting.text").
    assertThat(mine.env()).containsExactly(Map.entry("GREETING_TEXT", "hi"));
    assertThat(mine.placement()).containsExactly(Map.entry("disk", "ssd"));
  }

  @Test
  void aVisitorFieldsSchemaFromEnvironmentVariables() {
    TemplatesConfig.Template t =
        config(
                "prod",
                Map.of(),
                Map.of(
                    "TRYNOW_TEMPLATES_SHOP_IMAGE", "example/shop:1.2",
                    "TRYNOW_TEMPLATES_SHOP_FIELDS_COMPANY_NAME_MAX_LENGTH", "40",
                    "TRYNOW_TEMPLATES_SHOP_FIELDS_COMPANY_NAME_REQUIRED", "true",
                    "TRYNOW_TEMPLATES_SHOP_FIELDS_SEATS_TYPE", "integer"))
            .getConfigMapping(TemplatesConfig.class)
            .templates()
            .get("shop");
    assertThat(t.fields()).containsOnlyKeys("company_name", "seats");
    assertThat(t.fields().get("company_name").maxLength()).isEqualTo(40);
    assertThat(t.fields().get("company_name").required()).isTrue();
    assertThat(t.fields().get("seats").type()).isEqualTo("integer");
  }

  @Test
  void anEnvironmentVariableOverridesTheFileAndTheFileNamesTheTemplate() {
    TemplatesConfig.Template t =
        config(
                "prod",
                Map.of("trynow.templates.my-shop.image", "example/shop:1"),
                Map.of(
                    "TRYNOW_TEMPLATES_MY_SHOP_IMAGE", "example/shop:2",
                    // Two readings (my-shop-env's min-ready, or my-shop's container variable
                    // MIN_READY): the template the file names decides.
                    "TRYNOW_TEMPLATES_MY_SHOP_ENV_MIN_READY", "4"))
            .getConfigMapping(TemplatesConfig.class)
            .templates()
            .get("my-shop");
    assertThat(t.image()).isEqualTo("example/shop:2");
    assertThat(t.env()).containsExactly(Map.entry("MIN_READY", "4"));
  }

  /**
   * The way a service really starts: Quarkus' config builder, the file given in {@code
   * QUARKUS_CONFIG_LOCATIONS} (an environment variable, as {@code ./trynow up}, system-tests and
   * the chart pass it), and an environment variable for one of its keys. SmallRye loads a location
   * at the ordinal of the source that named it (here the environment's, 300): without {@code
   * EnvAboveFiles} the file and the environment tie and the file won ({@code
   * TRYNOW_TEMPLATES_HELLO_MIN_READY=4 ./trynow up} kept min-ready 2).
   */
  @Test
  void anEnvironmentVariableOverridesAFileNamedInQuarkusConfigLocations() {
    Path file = repoRoot().resolve("samples/hello/template.properties");
    Map<String, String> env =
        Map.of(
            "QUARKUS_CONFIG_LOCATIONS", file.toString(),
            "TRYNOW_TEMPLATES_HELLO_MIN_READY", "4",
            "TRYNOW_TEMPLATES_HELLO_SLO_HIT_RATE", "0.9");
    SmallRyeConfig c =
        io.quarkus.runtime.configuration.ConfigUtils.emptyConfigBuilder()
            .addDiscoveredSources()
            .withSources(new EnvConfigSource(env, 300))
            .withSources(new io.smallrye.config.PropertiesLocationConfigSourceFactory())
            .withMapping(TemplatesConfig.class)
            .withConverter(Duration.class, 100, new DurationConverter())
            .build();
    TemplatesConfig.Template hello =
        c.getConfigMapping(TemplatesConfig.class).templates().get("hello");
    assertThat(hello.image()).as("from the file").isEqualTo("trynow/sample-hello:1");
    assertThat(hello.maxTotal()).as("from the file").isEqualTo(20);
    assertThat(hello.minReady()).as("the environment over the file").isEqualTo(4);
    assertThat(hello.slo().hitRate()).hasValue(0.9);
  }

  @Test
  void aVariableThatNamesNoSettingFailsNamingIt() {
    assertThatThrownBy(() ->
            config(
                "prod",
                Map.of(),
                Map.of(
                    "TRYNOW_TEMPLATES_SHOP_IMAGE", "example/shop:1.2",
                    "TRYNOW_TEMPLATES_SHOP_MIN_REDY", "3")))
        .hasStackTraceContaining("TRYNOW_TEMPLATES_SHOP_MIN_REDY names no template setting");
  }

  @Test
  void aVariableWithTwoReadingsAndNoKnownTemplateFailsNamingBoth() {
    assertThatThrownBy(() ->
            config("prod", Map.of(), Map.of("TRYNOW_TEMPLATES_SHOP_ENV_IMAGE", "x"))
                .getConfigMapping(TemplatesConfig.class))
        .hasStackTraceContaining("TRYNOW_TEMPLATES_SHOP_ENV_IMAGE can be read as")
        .hasStackTraceContaining("trynow.templates.shop.env.IMAGE")
        .hasStackTraceContaining("trynow.templates.shop-env.image");
  }

  @Test
  void theSampleFileAndTheDevTestProfileAgree() throws IOException {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Map<String, String> file = load(repo.resolve("samples/hello/template.properties"));
    Map<String, String> profile = new TreeMap<>();
    load(Path.of("src/main/resources/META-INF/microprofile-config.properties"))
        .forEach((k, v) -> {
          if (k.startsWith(PROFILE_PREFIX + "trynow.templates.")) {
            profile.put(k.substring(PROFILE_PREFIX.length()), v);
          }
        });
    assertThat(file).isNotEmpty().isEqualTo(profile);
  }

  private static Map<String, String> load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    Map<String, String> m = new TreeMap<>();
    p.forEach((k, v) -> m.put((String) k, (String) v));
    return m;
  }
}
