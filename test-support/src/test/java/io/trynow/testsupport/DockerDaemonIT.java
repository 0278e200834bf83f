package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A private second dockerd: own everything, reachable on its socket, invisible to the main one. */
class DockerDaemonIT {

  @Test
  void secondEngineRunsAHostNetworkContainerOnItsOwnLoopbackAddressAndStopsByPidfile()
      throws Exception {
    String image = SampleImage.ensureBuilt();
    String label = "trynow.test-daemon";
    String mark = "d" + ProcessHandle.current().pid();
    try (DockerDaemon daemon = new DockerDaemon("tnit" + (ProcessHandle.current().pid() % 1000))) {
      daemon.start();
      long pid = daemon.pid();
      assertThat(daemon.command())
          .contains("--bridge=none", "--iptables=false", "--ip-masq=false", "--pidfile");
      daemon.load(image);
      DockerClient engine = daemon.client();
      // only the host and none networks: no 172.x bridge on this engine
      assertThat(engine.listNetworksCmd().exec())
          .extracting(n -> n.getName())
          .doesNotContain("bridge");

      int port = FreePorts.one();
      String id =
          engine
              .createContainerCmd(image)
              .withName("trynow-daemon-it-" + mark)
              .withLabels(Map.of(label, mark))
              .withEnv("PORT=" + port, "BIND=127.0.0.2")
              .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
              .exec()
              .getId();
      engine.startContainerCmd(id).exec();

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI uri = URI.create("http://127.0.0.2:" + port + SampleImage.HEALTH_PATH);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() ->
              http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                      .statusCode()
                  == 200);

      // the machine's engine does not see it
      assertThat(
              DockerEngine.client()
                  .listContainersCmd()
                  .withShowAll(true)
                  .withLabelFilter(Map.of(label, mark))
                  .exec())
          .isEmpty();
      assertThat(engine.listContainersCmd().withLabelFilter(Map.of(label, mark)).exec()).hasSize(1);

      daemon.stop();
      assertThat(daemon.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      // its container went down with it (no live-restore)
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !answers(http, uri));

      daemon.start();
      assertThat(daemon.pid()).isNotEqualTo(pid);
      assertThat(
              engine
                  .listContainersCmd()
                  .withShowAll(true)
                  .withLabelFilter(Map.of(label, mark))
                  .exec())
          .extracting(c -> c.getState())
          .isEqualTo(List.of("exited"));
    }
  }

  private static boolean answers(HttpClient http, URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
