package io.trynow.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart under deploy/helm/trynow, linted and rendered by the Helm library that helm-java
 * bundles (no helm binary, no cluster, no network).
 */
final class HelmChart {

  static final String RELEASE = "trynow";
  static final String NAMESPACE = "trynow";

  private HelmChart() {}

  static LintResult lint(Path chart) {
    HelmCluster.ensureStarted();
    return new Helm(chart).lint().strict().call();
  }

  /** Renders the chart with the values files (in order) and the --set overrides. */
  static Manifests render(Path chart, List<Path> valuesFiles, Map<String, Object> sets) {
    HelmCluster.ensureStarted();
    TemplateCommand cmd =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion("1.30.0");
    for (Path values : valuesFiles) {
      cmd = cmd.withValuesFile(values);
    }
    for (Map.Entry<String, Object> e : sets.entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    String out = cmd.call();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(out)) {
      if (doc instanceof Map<?, ?> m && !m.isEmpty()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = (Map<String, Object>) m;
        docs.add(manifest);
      }
    }
    return new Manifests(out, docs);
  }

  /** The chart's NOTES.txt as an install would print them (dry run, client only: no cluster). */
  static String notes(Map<String, Object> sets) {
    HelmCluster.ensureStarted();
    InstallCommand cmd =
        new Helm(Repo.chart())
            .install()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion("1.30.0")
            .dryRun()
            .clientOnly();
    for (Map.Entry<String, Object> e : sets.entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    String out = cmd.call().getOutput();
    int at = out.indexOf("NOTES:");
    return at < 0 ? "" : out.substring(at);
  }

  static Manifests render(Path... valuesFiles) {
    return render(Repo.chart(), List.of(valuesFiles), Map.of());
  }

  static Manifests renderWith(Map<String, Object> sets, Path... valuesFiles) {
    return render(Repo.chart(), List.of(valuesFiles), sets);
  }
}
