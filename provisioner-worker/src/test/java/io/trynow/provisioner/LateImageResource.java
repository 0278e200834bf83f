package io.trynow.provisioner;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * Template {@code late}: the sample app under a tag of its own that does not exist until the test
 * creates it (an operator "fixing" a missing image), unique per run so parallel runs do not meet.
 */
public class LateImageResource implements QuarkusTestResourceLifecycleManager {

  static final String IMAGE =
      "trynow/sample-hello:late-" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  public Map<String, String> start() {
    return Map.of(
        "trynow.templates.late.image", IMAGE,
        "trynow.templates.late.health-path", "/healthz",
        "trynow.templates.late.memory-mb", "32",
        "trynow.templates.late.min-ready", "1");
  }

  @Override
  public void stop() {}
}
