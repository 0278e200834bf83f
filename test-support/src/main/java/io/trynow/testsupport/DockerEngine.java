package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.time.Duration;

/**
 * The host's Docker engine ({@code DOCKER_HOST}, default the unix socket). One client per JVM. An
 * engine that does not answer is a test failure: ./trynow test starts dockerd.
 */
public final class DockerEngine {

  private static DockerClient client;

  private DockerEngine() {}

  public static synchronized DockerClient client() {
    if (client == null) {
      DefaultDockerClientConfig config =
          DefaultDockerClientConfig.createDefaultConfigBuilder().build();
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
        throw new IllegalStateException(
            "the Docker engine at "
                + config.getDockerHost()
                + " does not answer; ./trynow test starts dockerd",
            e);
      }
      client = c;
    }
    return client;
  }
}
