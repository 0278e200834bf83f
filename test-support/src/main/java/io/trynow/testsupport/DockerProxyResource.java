package io.trynow.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: points the service's Docker client ({@code trynow.docker.host}) at a
 * {@link DockerSocketProxy} in front of the real engine, so the test can make dockerd unreachable
 * ({@link #proxy()}{@code .cut()}) and reachable again without touching the shared dockerd. Use
 * together with {@link RealServersResource}.
 */
public class DockerProxyResource implements QuarkusTestResourceLifecycleManager {

  private static volatile DockerSocketProxy current;

  public static DockerSocketProxy proxy() {
    DockerSocketProxy p = current;
    if (p == null) {
      throw new IllegalStateException("DockerProxyResource has not started");
    }
    return p;
  }

  @Override
  public Map<String, String> start() {
    current = DockerSocketProxy.start();
    return Map.of("trynow.docker.host", current.dockerHost());
  }

  @Override
  public void stop() {
    DockerSocketProxy p = current;
    current = null;
    if (p != null) {
      p.close();
    }
  }
}
