package io.trynow.platform.template;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import io.smallrye.config.WithName;
import io.smallrye.config.common.utils.StringUtil;
import io.trynow.model.Ids;
import jakarta.annotation.Priority;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Makes templates defined by environment variables alone work: {@code
 * TRYNOW_TEMPLATES_<NAME>_<FIELD>} (e.g. {@code TRYNOW_TEMPLATES_MY_SHOP_MIN_READY=3}) is the
 * property {@code trynow.templates.<name>.<field>} ({@code trynow.templates.my-shop.min-ready}).
 *
 * <p>Why it is needed: {@link TemplatesConfig} is a map under its prefix, and SmallRye Config can
 * map an environment variable to a map entry only when it can tell the key from the variable's
 * name. It spells every variable lower-case with dots ({@code trynow.templates.my.shop.min.ready}),
 * so a template whose name has a dash was silently ignored, and a container variable {@code
 * TRYNOW_TEMPLATES_SHOP_ENV_GREETING_TEXT} became {@code greeting.text} instead of {@code
 * GREETING_TEXT}. This interceptor publishes, for every such variable, the one property name it
 * stands for, found from the fields of {@link TemplatesConfig.Template} (the setting is the suffix
 * that is a field; what is before it is the name, {@code _} read as {@code -}); the value still
 * comes from the environment variable, by SmallRye's own lookup. The lower-case dotted spellings of
 * those variables are hidden, so nothing is mapped twice. Keys of {@code env} are taken verbatim,
 * keys of {@code placement} as SmallRye spells labels ({@code trynow.hosts.<n>.labels.*}), keys of
 * {@code fields} in lower case ({@code TRYNOW_TEMPLATES_SHOP_FIELDS_COMPANY_NAME_MAX_LENGTH}: field
 * {@code company_name}, its {@code max-length}).
 *
 * <p>A variable under {@code TRYNOW_TEMPLATES_} that names no setting of any template (a typo) or
 * that can be read two ways (e.g. {@code TRYNOW_TEMPLATES_SHOP_ENV_IMAGE}: template {@code shop},
 * container variable {@code IMAGE}, or template {@code shop-env}, its image) fails startup naming
 * the variable. A reading whose template is already known (from another variable with one reading,
 * or a properties file) wins over the other.
 */
@Priority(Priorities.LIBRARY)
public final class TemplatesFromEnv implements ConfigSourceInterceptor {

  private static final long serialVersionUID = 1L;

  /** The environment variables this interceptor reads. */
  public static final String ENV_PREFIX = "TRYNOW_TEMPLATES_";

  private static final String PREFIX = "trynow.templates.";

  /** Env spelling of a scalar field → its property path below the template, e.g. health-path. */
  private static final Map<String, String> SCALARS = new LinkedHashMap<>();

  /** Env spelling of a map field → its property path below the template (env, placement). */
  private static final Map<String, String> MAPS = new LinkedHashMap<>();

  /**
   * Env spelling of a map of groups (fields) → its path, and its group's settings (env spelling →
   * property name).
   */
  private static final Map<String, Map.Entry<String, Map<String, String>>> GROUP_MAPS =
      new LinkedHashMap<>();

  static {
    fields(TemplatesConfig.Template.class, "");
  }

  @Override
  public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
    return context.proceed(name);
  }

  @Override
  public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
    List<String> names = new ArrayList<>();
    context.iterateNames().forEachRemaining(names::add);
    return rewrite(names).iterator();
  }

  /** The names with each {@code TRYNOW_TEMPLATES_*} variable's property name, artifacts hidden. */
  static Set<String> rewrite(List<String> names) {
    List<String> variables = new ArrayList<>();
    for (String n : names) {
      if (n.startsWith(ENV_PREFIX) && n.chars().allMatch(TemplatesFromEnv::isEnvChar)) {
        variables.add(n);
      }
    }
    if (variables.isEmpty()) {
      return new LinkedHashSet<>(names);
    }
    Set<String> spellings = new HashSet<>();
    for (String v : variables) {
      spellings.add(v);
    }
    // Templates known from names that are not a variable's spelling (a properties file).
    Set<String> known = new HashSet<>();
    for (String n : names) {
      if (n.startsWith(PREFIX) && !spellings.contains(envForm(n))) {
        int dot = n.indexOf('.', PREFIX.length());
        if (dot > 0) {
          known.add(n.substring(PREFIX.length(), dot));
        }
      }
    }
    Map<String, List<Reading>> readings = new LinkedHashMap<>();
    for (String v : variables) {
      List<Reading> r = readings(v);
      if (r.isEmpty()) {
        throw new IllegalArgumentException(
            v
                + " names no template setting: expected TRYNOW_TEMPLATES_<NAME>_<SETTING> for"
                + " trynow.templates.<name>.<setting>, with a setting of "
                + String.join(", ", new java.util.TreeSet<>(SCALARS.values()))
                + ", env.<VAR> or placement.<label>");
      }
      if (r.size() == 1) {
        known.add(r.get(0).template());
      }
      readings.put(v, r);
    }
    Map<String, String> property = new LinkedHashMap<>();
    for (Map.Entry<String, List<Reading>> e : readings.entrySet()) {
      List<Reading> r = e.getValue();
      if (r.size() > 1) {
        List<Reading> ofKnown = r.stream().filter(x -> known.contains(x.template())).toList();
        if (ofKnown.size() != 1) {
          throw new IllegalArgumentException(
              e.getKey()
                  + " can be read as "
                  + String.join(" or ", r.stream().map(Reading::property).toList())
                  + ": set it in a properties file (QUARKUS_CONFIG_LOCATIONS) under that name");
        }
        r = ofKnown;
      }
      property.put(e.getKey(), r.get(0).property());
    }
    Set<String> out = new LinkedHashSet<>();
    for (String n : names) {
      // Hide SmallRye's guesses at what a handled variable stands for.
      boolean guess =
          n.startsWith(PREFIX)
              && property.containsKey(envForm(n))
              && !n.equals(property.get(envForm(n)));
      if (!guess) {
        out.add(n);
      }
    }
    out.addAll(property.values());
    return out;
  }

  /** Every way a variable reads as template + setting. */
  private static List<Reading> readings(String variable) {
    String[] tokens = variable.substring(ENV_PREFIX.length()).split("_", -1);
    List<Reading> out = new ArrayList<>();
    for (String t : tokens) {
      if (t.isEmpty()) {
        return out;
      }
    }
    for (int i = 1; i < tokens.length; i++) {
      String template = String.join("-", List.of(tokens).subList(0, i)).toLowerCase(Locale.ROOT);
      if (!Ids.isTemplate(template)) {
        continue;
      }
      String setting = String.join("_", List.of(tokens).subList(i, tokens.length));
      String scalar = SCALARS.get(setting);
      if (scalar != null) {
        out.add(new Reading(template, PREFIX + template + "." + scalar));
      }
      for (Map.Entry<String, Map.Entry<String, Map<String, String>>> g : GROUP_MAPS.entrySet()) {
        if (!setting.startsWith(g.getKey() + "_")) {
          continue;
        }
        // <KEY>_<SETTING OF THE GROUP>: e.g. FIELDS_COMPANY_NAME_MAX_LENGTH → company_name
        String[] rest = setting.substring(g.getKey().length() + 1).split("_");
        for (int j = 1; j < rest.length; j++) {
          String groupSetting =
              g.getValue().getValue().get(String.join("_", List.of(rest).subList(j, rest.length)));
          if (groupSetting != null) {
            String key = String.join("_", List.of(rest).subList(0, j)).toLowerCase(Locale.ROOT);
            out.add(
                new Reading(
                    template,
                    PREFIX
                        + template
                        + "."
                        + g.getValue().getKey()
                        + "."
                        + key
                        + "."
                        + groupSetting));
          }
        }
      }
      for (Map.Entry<String, String> m : MAPS.entrySet()) {
        if (setting.startsWith(m.getKey() + "_")) {
          String key = setting.substring(m.getKey().length() + 1);
          String spelled = m.getValue().equals("env") ? key : StringUtil.toLowerCaseAndDotted(key);
          out.add(new Reading(template, PREFIX + template + "." + m.getValue() + "." + spelled));
        }
      }
    }
    return out;
  }

  /** A property's environment-variable spelling. */
  private static String envForm(String property) {
    return StringUtil.replaceNonAlphanumericByUnderscores(property).toUpperCase(Locale.ROOT);
  }

  private static boolean isEnvChar(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Collects the settings of a mapping interface (groups recursively), as SmallRye names them. */
  private static void fields(Class<?> type, String path) {
    for (Method m : type.getMethods()) {
      if (m.isDefault()
          || Modifier.isStatic(m.getModifiers())
          || m.getParameterCount() > 0
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      WithName withName = m.getAnnotation(WithName.class);
      String name = path + (withName != null ? withName.value() : hyphenate(m.getName()));
      Class<?> r = m.getReturnType();
      if (Map.class.isAssignableFrom(r)) {
        Class<?> value = mapValueType(m);
        if (value != null
            && value.isInterface()
            && value.getDeclaringClass() == TemplatesConfig.class) {
          Map<String, String> settings = new LinkedHashMap<>();
          for (Method gm : value.getMethods()) {
            if (!gm.isDefault()
                && !Modifier.isStatic(gm.getModifiers())
                && gm.getParameterCount() == 0) {
              WithName gn = gm.getAnnotation(WithName.class);
              String n = gn != null ? gn.value() : hyphenate(gm.getName());
              settings.put(envForm(n), n);
            }
          }
          GROUP_MAPS.put(envForm(name), Map.entry(name, settings));
        } else {
          MAPS.put(envForm(name), name);
        }
      } else if (r.isInterface() && r.getDeclaringClass() == TemplatesConfig.class) {
        fields(r, name + ".");
      } else {
        SCALARS.put(envForm(name), name);
      }
    }
  }

  private static Class<?> mapValueType(Method m) {
    if (m.getGenericReturnType() instanceof java.lang.reflect.ParameterizedType p
        && p.getActualTypeArguments().length == 2
        && p.getActualTypeArguments()[1] instanceof Class<?> c) {
      return c;
    }
    return null;
  }

  private static String hyphenate(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private record Reading(String template, String property) {}
}
