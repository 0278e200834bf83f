package io.trynow.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a rendered object against the Kubernetes API schema by strict deserialization into the
 * fabric8 kubernetes-model classes: the kind must be one we know at the expected apiVersion, every
 * value must have the field's type, and no field may be unknown. fabric8's classes keep unknown
 * fields in {@code additionalProperties} instead of failing, so the whole object graph is walked
 * afterwards and any non-empty {@code additionalProperties} is an error, reported with its path.
 */
final class KubeSchema {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** kind → apiVersion and model class. */
  private static final Map<String, Map.Entry<String, String>> KINDS =
      Map.ofEntries(
          kind("Deployment", "apps/v1", "io.fabric8.kubernetes.api.model.apps.Deployment"),
          kind("Service", "v1", "io.fabric8.kubernetes.api.model.Service"),
          kind("ConfigMap", "v1", "io.fabric8.kubernetes.api.model.ConfigMap"),
          kind("Secret", "v1", "io.fabric8.kubernetes.api.model.Secret"),
          kind("ServiceAccount", "v1", "io.fabric8.kubernetes.api.model.ServiceAccount"),
          kind(
              "PodDisruptionBudget",
              "policy/v1",
              "io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget"),
          kind(
              "HorizontalPodAutoscaler",
              "autoscaling/v2",
              "io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler"),
          kind(
              "NetworkPolicy",
              "networking.k8s.io/v1",
              "io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy"),
          kind(
              "Ingress",
              "networking.k8s.io/v1",
              "io.fabric8.kubernetes.api.model.networking.v1.Ingress"),
          kind(
              "ServiceMonitor",
              "monitoring.coreos.com/v1",
              "io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor"),
          kind(
              "PrometheusRule",
              "monitoring.coreos.com/v1",
              "io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule"));

  private static Map.Entry<String, Map.Entry<String, String>> kind(
      String kind, String apiVersion, String modelClass) {
    return Map.entry(kind, Map.entry(apiVersion, modelClass));
  }

  private KubeSchema() {}

  /** The problems of {@code doc}; empty when it is a valid object. */
  static List<String> problems(Map<String, Object> doc) {
    String kind = String.valueOf(doc.get("kind"));
    String name = kind + " " + Tree.string(doc, "metadata", "name");
    Map.Entry<String, String> expected = KINDS.get(kind);
    if (expected == null) {
      return List.of(name + ": kind not known to this check");
    }
    if (!expected.getKey().equals(doc.get("apiVersion"))) {
      return List.of(
          name + ": apiVersion " + doc.get("apiVersion") + ", expected " + expected.getKey());
    }
    Object model;
    try {
      model = MAPPER.convertValue(doc, Class.forName(expected.getValue()));
    } catch (IllegalArgumentException e) {
      return List.of(name + ": " + e.getMessage());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    List<String> problems = new ArrayList<>();
    walk(model, name, problems, new IdentityHashMap<>());
    return problems;
  }

  private static void walk(
      Object node, String path, List<String> problems, IdentityHashMap<Object, Boolean> seen) {
    if (node == null || seen.put(node, true) != null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        walk(o, path + "[" + i++ + "]", problems, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, problems, seen));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class
          || getter.getReturnType().isPrimitive()) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": unknown field(s) " + extra.keySet());
        }
        continue;
      }
      String field = getter.getName().substring(3);
      walk(
          value,
          path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1),
          problems,
          seen);
    }
  }
}
