package io.trynow.provisioner.provision;

import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerHosts;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.HostSlot;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.PlaceResult;
import io.trynow.platform.state.StaleFence;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where an instance runs: its Docker host (one store call, {@code place_instance}: most free
 * capacity among the hosts whose labels match the template's placement, drained hosts skipped — or
 * the earlier choice, repeated), and the check that its port is free there before its container
 * binds it.
 */
final class Placement {

  private static final Logger LOG = Logger.getLogger(Placement.class);

  private final Store store;
  private final DockerHosts hosts;
  private final ProvisionFailures failures;

  Placement(Store store, DockerHosts hosts, ProvisionFailures failures) {
    this.store = store;
    this.hosts = hosts;
    this.failures = failures;
  }

  /** A placement, or the outcome that ends this delivery. */
  record Placed(String host, Containers containers, Outcome outcome) {
    static Placed end(Outcome o) {
      return new Placed(null, null, o);
    }
  }

  Placed place(Attempt a, Template template, boolean lastDelivery) {
    List<HostSlot> candidates = hosts.registry().candidates(template.placement());
    if (candidates.isEmpty()) {
      return Placed.end(
          failures.fail(
              a, null, "no Docker host matches placement " + template.placement(), true, null));
    }
    switch (store.capacity().place(a.id(), a.fence(), candidates)) {
      case PlaceResult.Placed p -> {
        Optional<Containers> c = hosts.on(p.host());
        if (c.isEmpty()) {
          return Placed.end(
              failures.fail(a, null, "host " + p.host() + " left the registry", true, null));
        }
        return new Placed(p.host(), c.get(), null);
      }
      case PlaceResult.Full f -> {
        return Placed.end(
            failures.transientFailure(a, null, "no Docker host has room", lastDelivery));
      }
      case PlaceResult.HostDown d -> {
        return Placed.end(failures.fail(a, null, "host " + d.host() + " was drained", true, null));
      }
      case StaleFence s -> {
        return Placed.end(Outcome.done());
      }
      case NotFound n -> {
        return Placed.end(Outcome.done());
      }
      case WrongState w -> {
        LOG.infof("instance %s is %s before placement: stopping", a.id(), w.state().wire());
        return Placed.end(Outcome.done());
      }
    }
  }

  /**
   * With host networking, the port must be free before our container binds it: otherwise the health
   * poll could be answered by whatever holds it (e.g. a container left behind).
   */
  static void requirePortFree(String address, int port) {
    InetAddress at;
    try {
      at = InetAddress.getByName(address);
    } catch (IOException e) {
      return; // not resolvable here: the engine's own bind decides
    }
    if (!at.isLoopbackAddress()) {
      return; // another machine's address: nothing to check from here
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(at, port));
    } catch (IOException e) {
      throw new PortBusyException(address, port);
    }
  }

  /** Something already listens on the instance's port. */
  static final class PortBusyException extends RuntimeException {
    PortBusyException(String address, int port) {
      super("port " + port + " is already in use on " + address);
    }
  }
}
