package io.trynow.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as Compose reads it: YAML with anchors and merge keys, then variable
 * interpolation ({@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?error}}, {@code $$}) with
 * the given environment. {@code docker compose} is not installed on every machine that runs the
 * tests, so this is the check that always runs.
 */
final class ComposeFile {

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

  private ComposeFile() {}

  static Map<String, Object> load(Path file, Map<String, String> env) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object raw = new Yaml(options).load(Files.readString(file));
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) interpolate(raw, env);
    return doc;
  }

  private static Object interpolate(Object node, Map<String, String> env) {
    if (node instanceof String s) {
      return interpolate(s, env);
    }
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), interpolate(v, env)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(interpolate(v, env)));
      return out;
    }
    return node;
  }

  static String interpolate(String s, Map<String, String> env) {
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1);
        String op = m.group(2);
        String arg = m.group(3);
        String value = env.get(name);
        boolean unset = value == null || (op != null && op.startsWith(":") && value.isEmpty());
        if (op == null) {
          replacement = value == null ? "" : value;
        } else if (op.endsWith("-")) {
          replacement = unset ? arg : value;
        } else if (unset) {
          throw new IllegalArgumentException("required variable " + name + " is missing: " + arg);
        } else {
          replacement = value;
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
