package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** helm lint and the values schema: what the chart accepts and what it refuses. */
class HelmChartTest {

  private static final String SCHEMA_ERROR = "values don't meet the specifications of the schema";

  @Test
  void lintsCleanWithDefaultValues() {
    LintResult lint = HelmChart.lint(Repo.chart());

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void theNotesTellTheLiveCapPerClientIp() {
    assertThat(HelmChart.notes(Map.of()))
        .contains("Live demos per client IP: at most 3 (assigned or queued)")
        .contains("429 too-many-live-demos")
        .contains("Set gateway.maxLivePerIp (0: no cap)")
        .contains("gateway.trustedProxies is empty");
    assertThat(
            HelmChart.notes(
                Map.of("gateway.maxLivePerIp", 2, "gateway.trustedProxies[0]", "10.0.0.0/8")))
        .contains("at most 2 (assigned or queued)")
        .doesNotContain("trustedProxies is empty");
    assertThat(HelmChart.notes(Map.of("gateway.maxLivePerIp", 0)))
        .contains("Live demos per client IP: no cap (gateway.maxLivePerIp is 0).")
        .doesNotContain("too-many-live-demos");
  }

  @Test
  void lintsCleanWithTheProductionValuesExample(@TempDir Path tmp) throws IOException {
    // helm lint takes no values file: lint a copy whose values.yaml is defaults + production.
    Path chart = copyChart(tmp);
    Yaml yaml = new Yaml();
    Map<String, Object> values = yaml.load(Files.readString(chart.resolve("values.yaml")));
    Map<String, Object> production = yaml.load(Files.readString(Repo.productionValues()));
    Files.writeString(chart.resolve("values.yaml"), yaml.dump(merge(values, production)));

    LintResult lint = HelmChart.lint(chart);

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void lintFailsWhenTheDefaultsBreakTheSchema(@TempDir Path tmp) throws IOException {
    Path chart = copyChart(tmp);
    Path values = chart.resolve("values.yaml");
    Files.writeString(values, Files.readString(values).replace("tag: \"0.1.0\"", "tag: latest"));

    LintResult lint = HelmChart.lint(chart);

    assertThat(lint.isFailed()).isTrue();
    assertThat(String.join("\n", lint.getMessages())).contains("/image/tag");
  }

  static Stream<Arguments> brokenValues() {
    return Stream.of(
        Arguments.of("image-tag-latest.yaml", "/image/tag"),
        Arguments.of("caddy-tag-latest.yaml", "/caddy/image/tag"),
        Arguments.of("template-image-latest.yaml", "/templates/shop/image"),
        Arguments.of("template-image-untagged.yaml", "/templates/shop/image"),
        Arguments.of("template-name-not-dns.yaml", "My_Shop"),
        Arguments.of("unknown-key.yaml", "servics"),
        Arguments.of("replicas-not-a-number.yaml", "/services/poolService/replicas"),
        Arguments.of("replicas-zero.yaml", "/services/provisionerWorker/replicas"),
        Arguments.of("no-memory-limit.yaml", "/services/apiGateway/resources/limits"),
        Arguments.of("nats-url-http.yaml", "/nats/url"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenValues")
  void valuesThatBreakTheSchemaAreRejected(String file, String where) {
    Path values = Repo.root().resolve("deploy/src/test/resources/values/broken/" + file);

    assertThatThrownBy(() -> HelmChart.render(values))
        .hasMessageContaining(SCHEMA_ERROR)
        .hasMessageContaining(where);
  }

  @Test
  void theDockerApiWithoutTlsIsRefused() {
    Path values =
        Repo.root().resolve("deploy/src/test/resources/values/broken/docker-tcp-without-tls.yaml");

    assertThatThrownBy(() -> HelmChart.render(values))
        .hasMessageContaining("docker.host over tcp:// needs docker.tls.enabled");
  }

  @Test
  void valkeyTlsNeedsARedissUrl() {
    assertThatThrownBy(() ->
            HelmChart.renderWith(
                Map.of("valkey.tls.enabled", true, "valkey.tls.existingSecret", "valkey-tls")))
        .hasMessageContaining("valkey.tls.enabled needs a rediss:// valkey.url");
  }

  @Test
  void aRedissUrlNeedsTheTlsSettings() {
    assertThatThrownBy(() -> HelmChart.renderWith(Map.of("valkey.url", "rediss://valkey:6380")))
        .hasMessageContaining("a rediss:// valkey.url needs valkey.tls.enabled");
  }

  @Test
  void oneWayToAuthenticateToNats() {
    assertThatThrownBy(() ->
            HelmChart.renderWith(
                Map.of(
                    "nats.nkey.existingSecret", "nats-nkey",
                    "nats.token.existingSecret", "nats-token")))
        .hasMessageContaining(
            "nats.nkey.existingSecret and nats.token.existingSecret exclude each other");
    assertThatThrownBy(() -> HelmChart.renderWith(Map.of("nats.user", "trynow")))
        .hasMessageContaining("nats.user needs nats.password.existingSecret");
  }

  @Test
  void aValkeyAclUserNeedsItsPassword() {
    assertThatThrownBy(() -> HelmChart.renderWith(Map.of("valkey.user", "trynow")))
        .hasMessageContaining("valkey.user needs valkey.password.existingSecret");
  }

  @Test
  void anExternalCaddyNeedsItsAdminUrl() {
    assertThatThrownBy(() -> HelmChart.renderWith(Map.of("caddy.enabled", false)))
        .hasMessageContaining("caddy.external.adminUrl is required");
  }

  private static Path copyChart(Path tmp) throws IOException {
    Path target = tmp.resolve("trynow");
    try (Stream<Path> files = Files.walk(Repo.chart())) {
      for (Path p : files.toList()) {
        Path dest = target.resolve(Repo.chart().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
    return target;
  }

  /** Helm's merge: maps merge key by key, anything else is replaced. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    override.forEach((k, v) -> {
      if (v instanceof Map<?, ?> vm && out.get(k) instanceof Map<?, ?> bm) {
        out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  @Test
  void mergeReplacesListsAndMergesMaps() {
    Map<String, Object> merged =
        merge(
            Map.of("a", Map.of("b", 1, "c", List.of(1, 2)), "d", 1),
            Map.of("a", Map.of("c", List.of(3)), "e", 2));

    assertThat(merged).isEqualTo(Map.of("a", Map.of("b", 1, "c", List.of(3)), "d", 1, "e", 2));
  }
}
