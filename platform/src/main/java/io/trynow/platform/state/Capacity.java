package io.trynow.platform.state;

import static io.trynow.platform.state.Args.errorText;
import static io.trynow.platform.state.Args.requireMax;
import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Where instances can run: the port range (initialised at startup, repaired by the orphan sweeper)
 * and the Docker hosts (placement on the freest host that is not drained, draining a host and
 * re-admitting it). Get it from {@link Store#capacity()}.
 */
public final class Capacity extends Operations {

  Capacity(FunctionClient client, InstantSource clock, String retentionMs) {
    super(client, clock, retentionMs);
  }

  /**
   * Makes the free-port set match {@code first..last}: adds every port of the range that is neither
   * free nor used, drops free ports outside it (used ones outside it are not put back when freed).
   * Idempotent; the provisioner calls it at startup.
   */
  public PortPool initPorts(int first, int last) {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("trynow.ports.first..last must be within 1..65535");
    }
    Reply r = client.call("init_ports", now(), String.valueOf(first), String.valueOf(last));
    return new PortPool(first, last, lng(r, 1), lng(r, 2));
  }

  /**
   * The port range and its use.
   *
   * @param first first port of the range
   * @param last last port of the range
   * @param free ports free
   * @param used ports held by instances
   */
  public record PortPool(int first, int last, long free, long used) {}

  /**
   * Places a provisioning instance (claim {@code fence}) on the candidate with the most free
   * capacity that is not drained, in one call: two provisioners never overfill a host. A repeat
   * returns the host chosen before.
   */
  public PlaceResult place(String id, long fence, List<HostSlot> candidates) {
    Ids.requireInstance(id);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate host");
    }
    List<String> args = new ArrayList<>(List.of(now(), id, String.valueOf(fence)));
    for (HostSlot c : candidates) {
      args.add(c.host());
      args.add(String.valueOf(c.capacity()));
    }
    Reply r = client.call("place_instance", args.toArray(String[]::new));
    return switch (status(r)) {
      case "ok" -> new PlaceResult.Placed(id, str(r, 2), flag(r, 1));
      case "full" -> new PlaceResult.Full(id);
      case "host_down" -> new PlaceResult.HostDown(id, str(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw Decode.unexpected("place_instance", r);
    };
  }

  /**
   * Drains {@code host}: placement skips it from now on, and every live instance on it is failed
   * (terminating ones terminated) with {@code reason}. Idempotent; the instances come back once.
   */
  public HostDrain hostDown(String host, String reason) {
    Ids.requireHost(host);
    Reply r = client.call("host_down", now(), host, errorText(reason), retentionMs);
    return new HostDrain(host, flag(r, 1), Decode.instances(r.get(2)));
  }

  /** Re-admits a drained host; true when it was drained. */
  public boolean hostUp(String host) {
    Ids.requireHost(host);
    return flag(client.call("host_up", now(), host), 1);
  }

  /** Drained hosts and since when. */
  public java.util.Map<String, Instant> hostsDown() {
    List<String> flat = Decode.strings(client.call("hosts_down", now()).get(1));
    java.util.Map<String, Instant> out = new java.util.TreeMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(flat.get(i), Instant.ofEpochMilli(Long.parseLong(flat.get(i + 1))));
    }
    return out;
  }

  /**
   * Repair (the orphan sweeper's): frees up to {@code max} ports recorded as used by an instance
   * that has no record, is not live, or holds another port. Returns the freed ports with the id
   * that held each. Every other function keeps ports consistent by itself; this repairs damage from
   * outside (manual edits, restores).
   */
  public java.util.Map<Integer, String> reclaimPorts(int max) {
    List<String> flat =
        Decode.strings(client.call("reclaim_ports", now(), String.valueOf(requireMax(max))).get(1));
    java.util.Map<Integer, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(Integer.parseInt(flat.get(i)), flat.get(i + 1));
    }
    return out;
  }
}
