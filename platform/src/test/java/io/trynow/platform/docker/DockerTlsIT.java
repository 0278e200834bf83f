package io.trynow.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trynow.model.Ids;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Docker host over TCP with mutual TLS, as the chart sets it up ({@code
 * DOCKER_HOST=tcp://…:2376}, {@code DOCKER_TLS_VERIFY=1}, {@code DOCKER_CERT_PATH} with
 * ca/cert/key.pem): a private {@code dockerd --tlsverify} on {@code tcp://127.0.0.1:<port>} with
 * certificates made by the test. The workers' client runs an instance there; a client with another
 * CA's certificates, or plain TCP, is refused.
 */
class DockerTlsIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static DockerDaemon daemon;

  @BeforeAll
  static void start() {
    SampleImage.ensureBuilt();
    daemon =
        DockerDaemon.withTls("tls-" + Ids.newInstanceId().substring(1, 7), TlsFiles.create())
            .start();
    daemon.load(SampleImage.IMAGE);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static DockerSettings settings(boolean tlsVerify, Optional<Path> certPath) {
    return new DockerSettings(
        daemon.tlsHost(),
        tlsVerify,
        certPath.map(Path::toString),
        Optional.empty(),
        8,
        Duration.ofSeconds(3),
        Duration.ofSeconds(30));
  }

  @Test
  void anInstanceRunsOnTheEngineReachedOverMutualTls() throws Exception {
    Containers containers =
        new Containers(
            DockerClients.create(settings(true, Optional.of(daemon.clientCertPath()))),
            EngineGuard.NONE);
    containers.ping();
    assertThat(containers.imagePresent(SampleImage.IMAGE)).isTrue();

    String cluster = "tls-" + Ids.newInstanceId().substring(1, 9);
    int port = FreePorts.one();
    ContainerSpec spec =
        ContainerSpec.forInstance(
            Ids.newInstanceId(),
            "hello",
            FixedTemplate.of(SampleImage.IMAGE),
            port,
            cluster,
            "127.0.0.1");
    try {
      containers.start(containers.ensureCreated(spec).id());
      await("the instance answers on its port")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() ->
              HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + port + SampleImage.HEALTH_PATH))
                              .build(),
                          HttpResponse.BodyHandlers.discarding())
                      .statusCode()
                  == 200);
      assertThat(containers.listManaged(cluster)).hasSize(1);
      // It runs on that host, not on the machine's own engine.
      assertThat(
              new Containers(DockerClients.create(DockerSettings.local()), EngineGuard.NONE)
                  .listManaged(cluster))
          .isEmpty();
    } finally {
      containers.listManaged(cluster).forEach(c -> containers.remove(c.id()));
    }
    assertThat(containers.listManaged(cluster)).isEmpty();
  }

  @Test
  void certificatesOfAnotherAuthorityAreRefused() {
    TlsFiles other = TlsFiles.create("another-ca");
    Path dir = other.dir().resolve("docker-client");
    try {
      Files.createDirectories(dir);
      Files.copy(other.ca(), dir.resolve("ca.pem"));
      Files.copy(other.clientCert(), dir.resolve("cert.pem"));
      Files.copy(other.clientKey(), dir.resolve("key.pem"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Containers containers =
        new Containers(DockerClients.create(settings(true, Optional.of(dir))), EngineGuard.NONE);
    assertThatThrownBy(containers::ping).isInstanceOf(RuntimeException.class);
  }

  @Test
  void plainTcpToTheTlsPortIsRefused() {
    Containers containers =
        new Containers(DockerClients.create(settings(false, Optional.empty())), EngineGuard.NONE);
    assertThatThrownBy(containers::ping).isInstanceOf(RuntimeException.class);
  }
}
