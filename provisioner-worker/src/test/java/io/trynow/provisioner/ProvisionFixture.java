package io.trynow.provisioner;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.RealServersResource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What the provisioner tests do to set up and look at the world. */
final class ProvisionFixture {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Store store;
  private final Publisher publisher;
  private final Containers containers;
  private final NatsClient nats;

  ProvisionFixture(Store store, Publisher publisher, Containers containers, NatsClient nats) {
    this.store = store;
    this.publisher = publisher;
    this.containers = containers;
    this.nats = nats;
  }

  /** A new {@code requested} record of {@code template}. */
  String requested(String template) {
    return store
        .sizing()
        .reserveProvision(new ReserveArgs(template, 1000, 1000, 1000, List.of(Ids.newInstanceId())))
        .created()
        .getFirst();
  }

  /** Publishes the provision request of {@code id} with message id {@code msgId}. */
  void publish(String id, String template, String msgId) {
    ProvisionRequest req = new ProvisionRequest(id, template, null);
    publisher.publishWithHeaders(
        req.subject(), msgId, new io.nats.client.impl.Headers(), Json.write(req));
  }

  /** Publishes a request as a dead-letter replay does ({@code Trynow-Replay-Of} header). */
  void publishReplay(String id, String template, String msgId, String replayOf) {
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(io.trynow.model.Headers.REPLAY_OF, replayOf);
    publisher.publishWithHeaders(
        Subjects.provision(template),
        msgId,
        h,
        Json.write(new ProvisionRequest(id, template, null)));
  }

  Instance instance(String id) {
    return store.instance(id).orElseThrow();
  }

  /** This test's containers of instance {@code id}. */
  List<ContainerInfo> containersOf(String id) {
    return containers.listManaged(RealServersResource.prefix()).stream()
        .filter(c -> c.instanceId().orElse("").equals(id))
        .toList();
  }

  void removeAllContainers() {
    containers.listManaged(RealServersResource.prefix()).forEach(c -> containers.remove(c.id()));
  }

  /** The last event of kind {@code kind} for instance {@code id}, if one was published. */
  Optional<InstanceEvent> event(String id, String kind) {
    try {
      JetStreamManagement jsm = nats.connection(Duration.ofSeconds(5)).jetStreamManagement();
      MessageInfo mi =
          jsm.getLastMessage(
              Subjects.STREAM_EVENTS, Subjects.instanceEvent(id, InstanceEventKind.fromWire(kind)));
      return Optional.of(Json.read(mi.getData(), InstanceEvent.class));
    } catch (JetStreamApiException e) {
      return Optional.empty();
    } catch (IOException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int httpStatus(int port, String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
