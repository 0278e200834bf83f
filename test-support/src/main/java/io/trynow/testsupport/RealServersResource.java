package io.trynow.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: starts real NATS (JetStream), Valkey and Caddy for a {@code @QuarkusTest}
 * and points the service at them. Use with {@code @WithTestResource(RealServersResource.class)}
 * (restricted to the annotated class); tests reach the servers (to kill or restart one) through
 * {@link #servers()}.
 */
public class RealServersResource implements QuarkusTestResourceLifecycleManager {

  private static volatile RealServers current;
  private static volatile String prefix;

  /** Instance ports given to each test service: {@code trynow.ports.first .. first + PORTS - 1}. */
  public static final int PORTS = 40;

  /**
   * The Valkey key prefix of the running test ({@code trynow.valkey.prefix}), unique per test
   * class: it is also the {@code trynow.cluster} label of every container the service creates, so
   * tests sharing one Docker engine never see each other's containers.
   */
  public static String prefix() {
    String p = prefix;
    if (p == null) {
      throw new IllegalStateException("RealServersResource has not started");
    }
    return p;
  }

  /** The servers of the Quarkus test that is running now. */
  public static RealServers servers() {
    RealServers s = current;
    if (s == null) {
      throw new IllegalStateException("RealServersResource has not started");
    }
    return s;
  }

  @Override
  public Map<String, String> start() {
    RealServers s =
        RealServers.start(
            RealServers.Kind.NATS,
            RealServers.Kind.VALKEY,
            RealServers.Kind.CADDY,
            RealServers.Kind.DOCKER);
    current = s;
    Map<String, String> config = new HashMap<>();
    config.put("trynow.nats.url", s.nats().url());
    config.put("quarkus.redis.hosts", s.valkey().url());
    config.put("trynow.caddy.admin-url", s.caddy().adminUrl());
    config.put("trynow.endpoints.caddy-http-port", String.valueOf(s.caddy().httpPort()));
    prefix = "t" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    config.put("trynow.valkey.prefix", prefix);
    int first = FreePorts.range(PORTS);
    config.put("trynow.ports.first", String.valueOf(first));
    config.put("trynow.ports.last", String.valueOf(first + PORTS - 1));
    return config;
  }

  @Override
  public void stop() {
    RealServers s = current;
    current = null;
    if (s != null) {
      s.close();
    }
  }
}
