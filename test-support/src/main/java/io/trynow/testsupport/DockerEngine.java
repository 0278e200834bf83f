package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The host's Docker engine. Its endpoint is read at each call as docker-java reads it: the {@code
 * DOCKER_HOST} system property, else the environment variable, else the unix socket. One client per
 * endpoint and JVM. An engine that does not answer is a test failure: ./trynow test starts dockerd.
 */
public final class DockerEngine {

  private static final Map<URI, DockerClient> CLIENTS = new HashMap<>();

  private DockerEngine() {}

  public static synchronized DockerClient client() {
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    DockerClient known = CLIENTS.get(config.getDockerHost());
    if (known != null) {
      return known;
    }
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(50)
            .connectionTimeout(Duration.ofSeconds(5))
            .responseTimeout(Duration.ofSeconds(60))
            .build();
    DockerClient c = DockerClientImpl.getInstance(config, http);
    try {
      c.pingCmd().exec();
    } catch (RuntimeException e) {
      closeQuietly(c, e);
      throw new IllegalStateException(
          "the Docker engine at "
              + config.getDockerHost()
              + " does not answer; ./trynow test starts dockerd",
          e);
    }
    CLIENTS.put(config.getDockerHost(), c);
    return c;
  }

  private static void closeQuietly(DockerClient c, RuntimeException cause) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
