package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Json;
import io.trynow.testsupport.SampleImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's alert rules and Grafana dashboard as the tests read them: the metric names their
 * queries use, and each alert's conditions evaluated on scraped Prometheus text. The evaluator
 * knows exactly the shapes our rules use — {@code agg [by (...)] (metric{matchers})} or {@code agg
 * [by (...)] (rate|delta(metric{matchers}[w]))}, compared with a number, joined by {@code and} —
 * and refuses anything else, so a rule the test cannot evaluate fails the test. {@code rate} and
 * {@code delta} are taken as the change between two scrapes.
 */
final class AlertRules {

  private static final Path CHART = Path.of("deploy", "helm", "trynow", "files");
  private static final Pattern METRIC = Pattern.compile("\\btrynow_[a-z0-9_]+\\b");
  private static final Pattern CONDITION =
      Pattern.compile(
          "(max|min|sum)\\s*(?:by\\s*\\(([^)]*)\\)\\s*)?\\(\\s*(?:(rate|delta)\\()?"
              + "(trynow_[a-z0-9_]+)(?:\\{([^}]*)})?(?:\\[[^]]+]\\))?\\s*\\)\\s*(>|<|==)\\s*([0-9.]+)");
  private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(=~|=)\\s*\"([^\"]*)\"");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})?\\s+(\\S+)");

  /** One sample of the Prometheus text format. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** One comparison of an alert's expression. */
  record Condition(
      String agg, String fn, String metric, Map<String, String> matchers, String op, double limit) {

    /** True when the condition holds for the series that carry {@code focus}'s labels (if any). */
    boolean holds(List<Sample> before, List<Sample> after, Map<String, String> focus) {
      List<Double> values = new ArrayList<>();
      Map<Map<String, String>, Double> was = new LinkedHashMap<>();
      if (before != null) {
        for (Sample s : select(before, focus)) {
          was.put(s.labels(), s.value());
        }
      }
      for (Sample s : select(after, focus)) {
        values.add(fn == null ? s.value() : s.value() - was.getOrDefault(s.labels(), 0.0));
      }
      if (values.isEmpty()) {
        return false;
      }
      double v =
          switch (agg) {
            case "max" -> values.stream().mapToDouble(d -> d).max().orElseThrow();
            case "min" -> values.stream().mapToDouble(d -> d).min().orElseThrow();
            default -> values.stream().mapToDouble(d -> d).sum();
          };
      return switch (op) {
        case ">" -> v > limit;
        case "<" -> v < limit;
        default -> v == limit;
      };
    }

    private List<Sample> select(List<Sample> samples, Map<String, String> focus) {
      List<Sample> out = new ArrayList<>();
      for (Sample s : samples) {
        if (!s.name().equals(metric)) {
          continue;
        }
        boolean ok = true;
        for (var m : matchers.entrySet()) {
          String v = s.labels().getOrDefault(m.getKey(), "");
          String want = m.getValue();
          ok &= want.startsWith("~") ? v.matches(want.substring(1)) : v.equals(want);
        }
        for (var f : focus.entrySet()) {
          if (s.labels().containsKey(f.getKey())) {
            ok &= s.labels().get(f.getKey()).equals(f.getValue());
          }
        }
        if (ok) {
          out.add(s);
        }
      }
      return out;
    }
  }

  /** An alert: all its conditions ({@code and}) must hold. */
  record Alert(String name, String expr, List<Condition> conditions) {
    boolean fires(List<Sample> before, List<Sample> after, Map<String, String> focus) {
      return conditions.stream().allMatch(c -> c.holds(before, after, focus));
    }
  }

  private final Map<String, Alert> alerts;

  private AlertRules(Map<String, Alert> alerts) {
    this.alerts = alerts;
  }

  Alert get(String name) {
    Alert a = alerts.get(name);
    if (a == null) {
      throw new AssertionError("no alert " + name + " in " + alerts.keySet());
    }
    return a;
  }

  static AlertRules load() {
    Map<String, Alert> alerts = new LinkedHashMap<>();
    String name = null;
    for (String line : read("prometheus-rules.yaml").split("\n")) {
      String l = line.strip();
      if (l.startsWith("- alert:")) {
        name = l.substring("- alert:".length()).strip();
      } else if (l.startsWith("expr:") && name != null) {
        String expr = l.substring("expr:".length()).strip();
        alerts.put(name, new Alert(name, expr, conditions(expr)));
      }
    }
    return new AlertRules(alerts);
  }

  static List<Condition> conditions(String expr) {
    List<Condition> out = new ArrayList<>();
    for (String part : expr.split("\\s+and\\s+")) {
      Matcher m = CONDITION.matcher(part.strip());
      if (!m.matches()) {
        throw new AssertionError("the test cannot evaluate this rule expression: " + part);
      }
      Map<String, String> matchers = new LinkedHashMap<>();
      if (m.group(5) != null) {
        Matcher mm = MATCHER.matcher(m.group(5));
        while (mm.find()) {
          matchers.put(mm.group(1), (mm.group(2).equals("=~") ? "~" : "") + mm.group(3));
        }
      }
      out.add(
          new Condition(
              m.group(1),
              m.group(3),
              m.group(4),
              matchers,
              m.group(6),
              Double.parseDouble(m.group(7))));
    }
    return out;
  }

  /** Metric names in the rule expressions. */
  static Set<String> metricsOfRules() {
    Set<String> out = new TreeSet<>();
    for (String line : read("prometheus-rules.yaml").split("\n")) {
      if (line.strip().startsWith("expr:")) {
        Matcher m = METRIC.matcher(line);
        while (m.find()) {
          out.add(m.group());
        }
      }
    }
    return out;
  }

  /** Metric names in every panel query of the Grafana dashboard. */
  static Set<String> metricsOfDashboard() {
    Set<String> out = new TreeSet<>();
    try {
      JsonNode d = Json.MAPPER.readTree(read("grafana-dashboard.json"));
      for (JsonNode expr : d.findValues("expr")) {
        Matcher m = METRIC.matcher(expr.asText());
        while (m.find()) {
          out.add(m.group());
        }
      }
      Matcher m = METRIC.matcher(d.path("templating").toString());
      while (m.find()) {
        out.add(m.group());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new AssertionError("no metric found in the dashboard");
    }
    return out;
  }

  /** Parses the Prometheus text format (comments skipped). */
  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.lookingAt()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher lm = MATCHER.matcher(m.group(2));
        while (lm.find()) {
          labels.put(lm.group(1), lm.group(3));
        }
      }
      double v;
      try {
        v = Double.parseDouble(m.group(3));
      } catch (NumberFormatException e) {
        continue;
      }
      out.add(new Sample(m.group(1), labels, v));
    }
    return out;
  }

  private static String read(String file) {
    try {
      return Files.readString(SampleImage.RepoRoot.find().resolve(CHART).resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
