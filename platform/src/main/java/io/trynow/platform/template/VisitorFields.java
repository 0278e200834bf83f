package io.trynow.platform.template;

import io.trynow.platform.template.TemplatesConfig.Field;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks the visitor fields of an acquire against the template's schema ({@code
 * trynow.templates.<name>.fields.*}): only listed fields, the listed type, length and pattern. The
 * gateway checks before anything is written (400 {@code invalid_field}); pool-service checks again
 * before a hook sees them. Values are never put into a command line or SQL by trynow: they travel
 * as JSON to the hook.
 */
public final class VisitorFields {

  /** What a field name may be. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private VisitorFields() {}

  /** A field that does not fit the schema; the message says why without echoing the value. */
  public static final class InvalidField extends IllegalArgumentException {
    private final String field;

    public InvalidField(String field, String reason) {
      super(field + ": " + reason);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /**
   * The fields as the hook will get them (sorted by name; strings, longs, booleans).
   *
   * @throws InvalidField on the first field that does not fit
   */
  public static Map<String, Object> validate(Map<String, Field> schema, Map<String, ?> given) {
    Map<String, Object> out = new TreeMap<>();
    Map<String, ?> in = given == null ? Map.of() : given;
    for (Map.Entry<String, ?> e : in.entrySet()) {
      String name = e.getKey();
      Field f = schema.get(name);
      if (f == null) {
        throw new InvalidField(
            name == null || !NAME.matcher(name).matches() ? "fields" : name,
            "this template accepts no such field");
      }
      out.put(name, value(name, f, e.getValue()));
    }
    for (Map.Entry<String, Field> e : schema.entrySet()) {
      if (e.getValue().required() && !out.containsKey(e.getKey())) {
        throw new InvalidField(e.getKey(), "is required");
      }
    }
    return out;
  }

  private static Object value(String name, Field f, Object v) {
    switch (f.type()) {
      case "string" -> {
        if (!(v instanceof String s)) {
          throw new InvalidField(name, "must be a string");
        }
        if (s.codePointCount(0, s.length()) > f.maxLength()) {
          throw new InvalidField(name, "must be at most " + f.maxLength() + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
          if (Character.isISOControl(s.charAt(i))) {
            throw new InvalidField(name, "must not contain control characters");
          }
        }
        if (f.pattern().isPresent() && !pattern(f.pattern().get()).matcher(s).matches()) {
          throw new InvalidField(name, "does not match the pattern " + f.pattern().get());
        }
        return s;
      }
      case "integer" -> {
        if (!(v instanceof Integer || v instanceof Long)) {
          throw new InvalidField(name, "must be an integer");
        }
        long n = ((Number) v).longValue();
        if (n < f.min() || n > f.max()) {
          throw new InvalidField(name, "must be between " + f.min() + " and " + f.max());
        }
        return n;
      }
      case "boolean" -> {
        if (!(v instanceof Boolean b)) {
          throw new InvalidField(name, "must be true or false");
        }
        return b;
      }
      default -> throw new InvalidField(name, "has an unknown type in the template");
    }
  }

  /** The compiled pattern (throws {@link java.util.regex.PatternSyntaxException} if invalid). */
  public static Pattern pattern(String regex) {
    return PATTERNS.computeIfAbsent(regex, Pattern::compile);
  }
}
