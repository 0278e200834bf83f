package io.trynow.cleanup;

import io.nats.client.JetStreamApiException;
import io.nats.client.api.MessageInfo;
import io.trynow.model.CleanupRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.Subjects;
import io.trynow.platform.docker.ContainerInfo;
import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.testsupport.RealServersResource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Drives instances (records + real containers) into the states the cleanup tests start from. Each
 * test uses its own template name, so acquire takes that test's instance and no other.
 */
final class CleanupFixture {

  static final String TOKEN = "0123456789abcdef0123456789abcdef";

  private final Store store;
  private final Containers containers;
  private final Publisher publisher;
  private final NatsClient nats;
  private final TemplatesConfig templates;

  CleanupFixture(
      Store store,
      Containers containers,
      Publisher publisher,
      NatsClient nats,
      TemplatesConfig templates) {
    this.store = store;
    this.containers = containers;
    this.publisher = publisher;
    this.nats = nats;
    this.templates = templates;
    store.capacity().initPorts(first(), last());
  }

  static int first() {
    return org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getValue("trynow.ports.first", Integer.class);
  }

  static int last() {
    return org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getValue("trynow.ports.last", Integer.class);
  }

  /** Ports held by instances now. */
  long usedPorts() {
    return store.capacity().initPorts(first(), last()).used();
  }

  static String newTemplate() {
    return "c" + Ids.newInstanceId().substring(1, 9);
  }

  String requested(String template) {
    return store
        .sizing()
        .reserveProvision(new ReserveArgs(template, 1000, 1000, 1000, List.of(Ids.newInstanceId())))
        .created()
        .getFirst();
  }

  /** A provisioning instance with a port and a running container, claimed for {@code lease}. */
  Instance provisioning(String template, Duration lease) {
    String id = requested(template);
    long fence = ((ClaimResult.Claimed) store.claims().claimProvision(id, lease)).fence();
    int port = ((PortResult.Allocated) store.provisioning().allocatePort(id, fence)).port();
    ContainerSpec spec =
        ContainerSpec.forInstance(
            id, template, templates.templates().get("hello"), port, store.prefix(), "127.0.0.1");
    containers.start(containers.ensureCreated(spec).id());
    return store.instance(id).orElseThrow();
  }

  /** An assigned instance with a running container that expires after {@code ttl}. */
  Instance assigned(String template, Duration ttl) {
    Instance p = provisioning(template, Duration.ofSeconds(30));
    store.provisioning().markStarted(p.id(), p.fence(), "trynow-" + p.id());
    store.provisioning().markReady(p.id(), null);
    AcquireResult r =
        store
            .requests()
            .acquire(
                new AcquireArgs(
                    Ids.newRequestId(),
                    template,
                    TOKEN,
                    "10.0.0.1",
                    ttl,
                    Duration.ofHours(1),
                    10,
                    0));
    return ((AcquireResult.Assigned) r).instance();
  }

  Instance instance(String id) {
    return store.instance(id).orElseThrow();
  }

  /** The running (or stopped) container of instance {@code id} in this test's cluster. */
  Optional<ContainerInfo> container(String id) {
    return containers.listManaged(RealServersResource.prefix()).stream()
        .filter(c -> c.instanceId().orElse("").equals(id))
        .findFirst();
  }

  void removeAllContainers() {
    containers.listManaged(RealServersResource.prefix()).forEach(c -> containers.remove(c.id()));
  }

  /** A cleanup request for {@code id} under {@code msgId} (its own, or another to pass dedup). */
  void publishCleanup(String id, String msgId) {
    CleanupRequest req = new CleanupRequest(id, "released", null);
    publisher.publishWithHeaders(
        req.subject(), msgId, new io.nats.client.impl.Headers(), Json.write(req));
  }

  Optional<InstanceEvent> event(String id, String kind) {
    try {
      MessageInfo mi =
          nats.connection(Duration.ofSeconds(5))
              .jetStreamManagement()
              .getLastMessage(
                  Subjects.STREAM_EVENTS,
                  Subjects.instanceEvent(id, InstanceEventKind.fromWire(kind)));
      return Optional.of(Json.read(mi.getData(), InstanceEvent.class));
    } catch (JetStreamApiException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
