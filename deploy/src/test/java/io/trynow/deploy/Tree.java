package io.trynow.deploy;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML (maps, lists, scalars) without casts at every step. */
final class Tree {

  private Tree() {}

  /** The value at the path of map keys, or null when any step is missing. */
  static Object at(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String... path) {
    Object v = at(node, path);
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String... path) {
    Object v = at(node, path);
    return v instanceof List<?> l ? (List<Object>) l : List.of();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object node, String... path) {
    return (List<Map<String, Object>>) (List<?>) list(node, path);
  }

  static String string(Object node, String... path) {
    Object v = at(node, path);
    return v == null ? null : v.toString();
  }
}
