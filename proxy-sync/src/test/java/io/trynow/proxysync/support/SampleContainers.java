package io.trynow.proxysync.support;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import io.trynow.model.Labels;
import io.trynow.testsupport.DockerEngine;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.SampleImage;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sample demo containers for proxy-sync tests, labelled with this test's cluster so that cleanup
 * only ever touches our own.
 */
public final class SampleContainers implements AutoCloseable {

  private final String cluster;
  private final DockerClient docker = DockerEngine.client();

  public SampleContainers(String cluster) {
    this.cluster = cluster;
  }

  /**
   * Starts the sample image for {@code instanceId} on a free port; returns the port once healthy.
   */
  public int start(String instanceId) {
    int port = FreePorts.one();
    startOn(instanceId, port);
    return port;
  }

  /** Starts the sample image for {@code instanceId} on {@code port}; returns once healthy. */
  public void startOn(String instanceId, int port) {
    String image = SampleImage.ensureBuilt();
    String id =
        docker
            .createContainerCmd(image)
            .withName(Labels.containerName(instanceId))
            .withEnv("PORT=" + port)
            .withLabels(
                Map.of(
                    Labels.MANAGED, "true",
                    Labels.CLUSTER, cluster,
                    Labels.INSTANCE, instanceId))
            .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
            .exec()
            .getId();
    docker.startContainerCmd(id).exec();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Http.get("http://127.0.0.1:" + port + "/healthz", null).status() == 200);
  }

  @Override
  public void close() {
    List<Container> mine =
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(Labels.MANAGED, "true", Labels.CLUSTER, cluster))
            .exec();
    for (Container c : mine) {
      docker.removeContainerCmd(c.getId()).withForce(true).exec();
    }
  }
}
