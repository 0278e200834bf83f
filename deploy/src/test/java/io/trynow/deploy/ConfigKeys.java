package io.trynow.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the services read, as environment variable names: every property of every
 * {@code @ConfigMapping} interface in platform and the five services (found in their compiled
 * classes, walked as SmallRye maps them: kebab-case names, {@code @WithName},
 * {@code @WithParentName}, nested groups, {@code Optional} groups, maps with a key segment), plus
 * every {@code ${TRYNOW_…}} a properties file or a {@code @WithDefault} expression refers to. A
 * rendered {@code TRYNOW_*} setting that matches none of them is read by nobody.
 */
final class ConfigKeys {

  static final List<String> MODULES =
      List.of(
          "platform",
          "api-gateway",
          "pool-service",
          "provisioner-worker",
          "proxy-sync",
          "cleanup-worker");
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(TRYNOW_[A-Z0-9_]+)");

  private final List<Pattern> envPatterns = new ArrayList<>();
  private final TreeSet<String> properties = new TreeSet<>();
  private final List<String> mappings = new ArrayList<>();

  private ConfigKeys() {}

  /** Scans the modules' {@code target/classes}. */
  static ConfigKeys scan() {
    ConfigKeys keys = new ConfigKeys();
    for (String module : MODULES) {
      Path classes = Repo.root().resolve(module).resolve("target/classes");
      if (!Files.isDirectory(classes)) {
        throw new IllegalStateException(classes + " is missing: build " + module + " first");
      }
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          if (name.endsWith(".class") && mentionsConfigMapping(f)) {
            String cls =
                classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            keys.addMapping(cls);
          } else if (name.endsWith(".properties")) {
            keys.addExpressions(Files.readString(f));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return keys;
  }

  private static boolean mentionsConfigMapping(Path classFile) throws IOException {
    return new String(Files.readAllBytes(classFile), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains("io/smallrye/config/ConfigMapping");
  }

  private void addMapping(String className) {
    Class<?> c;
    try {
      c = Class.forName(className, false, getClass().getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return; // a class that only uses a mapping; mapping interfaces load on their own
    }
    ConfigMapping m = c.getAnnotation(ConfigMapping.class);
    if (m == null || !c.isInterface()) {
      return;
    }
    mappings.add(c.getName());
    walk(c, m.prefix());
  }

  private void walk(Class<?> group, String prefix) {
    for (Method method : group.getMethods()) {
      if (method.isDefault()
          || Modifier.isStatic(method.getModifiers())
          || method.getParameterCount() > 0) {
        continue;
      }
      Optional.ofNullable(method.getAnnotation(WithDefault.class))
          .ifPresent(d -> addExpressions(d.value()));
      String name =
          method.isAnnotationPresent(WithParentName.class)
              ? prefix
              : prefix
                  + "."
                  + Optional.ofNullable(method.getAnnotation(WithName.class))
                      .map(WithName::value)
                      .orElse(kebab(method.getName()));
      property(name, method.getGenericReturnType());
    }
  }

  private void property(String name, Type type) {
    Class<?> raw = raw(type);
    if (raw == Optional.class || raw == List.class) {
      Type inner = ((ParameterizedType) type).getActualTypeArguments()[0];
      if (raw == List.class && isGroup(raw(inner))) {
        property(name + "[*]", inner);
      } else {
        property(name, inner);
      }
    } else if (raw == Map.class) {
      property(name + ".*", ((ParameterizedType) type).getActualTypeArguments()[1]);
    } else if (isGroup(raw)) {
      walk(raw, name);
    } else {
      properties.add(name);
      envPatterns.add(Pattern.compile(envPattern(name)));
    }
  }

  private static boolean isGroup(Class<?> c) {
    return c.isInterface() && c.getName().startsWith("io.trynow.");
  }

  private static Class<?> raw(Type t) {
    return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
  }

  /** {@code trynow.templates.*.min-ready} → {@code TRYNOW_TEMPLATES_[A-Z0-9_]+_MIN_READY}. */
  private static String envPattern(String property) {
    StringBuilder re = new StringBuilder();
    for (String part : property.split("\\*", -1)) {
      if (!re.isEmpty()) {
        re.append("[A-Z0-9_]+");
      }
      re.append(Pattern.quote(part.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT)));
    }
    return re.toString();
  }

  private void addExpressions(String text) {
    Matcher m = EXPRESSION.matcher(text);
    while (m.find()) {
      envPatterns.add(Pattern.compile(Pattern.quote(m.group(1))));
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** True when some service reads the environment variable {@code name}. */
  boolean read(String name) {
    return envPatterns.stream().anyMatch(p -> p.matcher(name).matches());
  }

  /** The mapping interfaces found (for the test's own sanity check). */
  List<String> mappings() {
    return mappings;
  }

  /** Every mapped property name ({@code *} for a map key). */
  TreeSet<String> properties() {
    return properties;
  }
}
