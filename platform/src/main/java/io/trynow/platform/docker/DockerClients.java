package io.trynow.platform.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

/** Builds a docker-java client on the httpclient5 transport with explicit pool and timeouts. */
public final class DockerClients {

  private DockerClients() {}

  public static DockerClient create(DockerSettings s) {
    DefaultDockerClientConfig.Builder b =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(s.host())
            .withDockerTlsVerify(s.tlsVerify());
    s.certPath().ifPresent(b::withDockerCertPath);
    s.apiVersion().ifPresent(b::withApiVersion);
    DefaultDockerClientConfig config = b.build();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(s.maxConnections())
            .connectionTimeout(s.connectTimeout())
            .responseTimeout(s.responseTimeout())
            .build();
    return DockerClientImpl.getInstance(config, http);
  }
}
