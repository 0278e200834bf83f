package io.trynow.platform.state;

/** Outcome of {@link Provisioning#allocatePort}. */
public sealed interface PortResult
    permits PortResult.Allocated, PortResult.NoFreePort, NotFound, WrongState, StaleFence {

  /** The instance's port; {@code repeat} when it already had one (the same is returned). */
  record Allocated(String id, int port, boolean repeat) implements PortResult {}

  /** Every port of the range is in use; nothing was written. */
  record NoFreePort(String id) implements PortResult {}
}
