package io.trynow.proxysync.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.Labels;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import java.util.List;

/**
 * Brings instances to {@code started} the way the provisioner does (reserve, claim, port, a real
 * sample container on that port, mark_started), so that proxy-sync has something to route.
 */
public final class Demos {

  private final Store store;
  private final SampleContainers containers;

  public Demos(Store store, SampleContainers containers, int portsFirst, int portsLast) {
    this.store = store;
    this.containers = containers;
    store.capacity().initPorts(portsFirst, portsLast);
  }

  /** A started instance of {@code hello}, its container answering on its port. */
  public String started() {
    return started("hello");
  }

  /** A started instance of {@code template}, its container answering on its port. */
  public String started(String template) {
    String id = provisioning(template);
    int port = port(id);
    containers.startOn(id, port);
    assertThat(store.provisioning().markStarted(id, fence(id), Labels.containerName(id)))
        .isInstanceOf(Changed.class);
    return id;
  }

  /** A started instance whose port nothing listens on (routing does not care). */
  public String startedWithoutContainer() {
    String id = provisioning("hello");
    port(id);
    assertThat(store.provisioning().markStarted(id, fence(id), Labels.containerName(id)))
        .isInstanceOf(Changed.class);
    return id;
  }

  /**
   * An instance of {@code hello} being provisioned that has its port (and nothing listening on it
   * yet); {@link #markStarted} moves it on.
   */
  public String provisioningWithPort() {
    String id = provisioning("hello");
    port(id);
    return id;
  }

  /** {@code mark_started}, as the provisioner does once the container is healthy. */
  public void markStarted(String id) {
    assertThat(store.provisioning().markStarted(id, fence(id), Labels.containerName(id)))
        .isInstanceOf(Changed.class);
  }

  private String provisioning(String template) {
    String id = Ids.newInstanceId();
    List<String> made =
        store
            .sizing()
            .reserveProvision(new ReserveArgs(template, 1000, 1000, 1000, List.of(id)))
            .created();
    assertThat(made).containsExactly(id);
    assertThat(store.claims().claimProvision(id, java.time.Duration.ofMinutes(5)))
        .isInstanceOf(ClaimResult.Claimed.class);
    return id;
  }

  private int port(String id) {
    PortResult p = store.provisioning().allocatePort(id, fence(id));
    assertThat(p).isInstanceOf(PortResult.Allocated.class);
    return ((PortResult.Allocated) p).port();
  }

  private long fence(String id) {
    return store.instance(id).orElseThrow().fence();
  }
}
