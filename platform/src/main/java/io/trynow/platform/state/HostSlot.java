package io.trynow.platform.state;

import io.trynow.model.Ids;

/** A placement candidate: a Docker host's registry name and how many live instances it takes. */
public record HostSlot(String host, int capacity) {

  public HostSlot {
    Ids.requireHost(host);
    if (capacity < 0) {
      throw new IllegalArgumentException("host capacity must be >= 0");
    }
  }
}
