package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sample image runs on the real engine with host networking, and Caddy proxies to it. */
@WithRealServers({RealServers.Kind.DOCKER, RealServers.Kind.CADDY})
class DockerAndCaddyIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void sampleContainerAnswersDirectlyAndThroughACaddyRoute(DockerClient docker, CaddyServer caddy)
      throws Exception {
    String image = SampleImage.ensureBuilt();
    int port = FreePorts.one();
    String name = "trynow-harness-" + UUID.randomUUID().toString().substring(0, 8);
    String id =
        docker
            .createContainerCmd(image)
            .withName(name)
            .withEnv("PORT=" + port)
            .withLabels(java.util.Map.of("trynow.harness", "true"))
            .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
            .exec()
            .getId();
    try {
      docker.startContainerCmd(id).exec();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() ->
              assertThat(get("http://127.0.0.1:" + port + "/healthz", null)).isEqualTo("ok\n"));

      String config =
          """
          {"servers": {"demo": {"listen": ["127.0.0.1:%d"], "automatic_https": {"disable": true},
            "routes": [{"@id": "harness-route", "match": [{"host": ["x.demo.localhost"]}],
                        "handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:%d"}]}]}]}}}
          """
              .formatted(caddy.httpPort(), port);
      HttpResponse<String> put =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(caddy.adminUrl() + "/config/apps/http"))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(config))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() ->
              assertThat(get("http://127.0.0.1:" + caddy.httpPort() + "/", "x.demo.localhost"))
                  .contains("trynow sample demo"));
    } finally {
      docker.removeContainerCmd(id).withForce(true).exec();
    }
  }

  private static String get(String url, String host) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
    if (host != null) {
      b.header("Host", host);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
  }
}
