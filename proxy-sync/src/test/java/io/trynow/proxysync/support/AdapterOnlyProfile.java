package io.trynow.proxysync.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** proxy-sync without its event consumer and reconcile loop: tests drive the adapter directly. */
public class AdapterOnlyProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of("trynow.proxy-sync.loops-enabled", "false");
  }
}
