package io.trynow.platform.state;

/** Outcome of {@link Capacity#place}. */
public sealed interface PlaceResult
    permits PlaceResult.Placed,
        PlaceResult.Full,
        PlaceResult.HostDown,
        NotFound,
        WrongState,
        StaleFence {

  /** The instance runs on {@code host}; {@code repeat} when it had been placed already. */
  record Placed(String id, String host, boolean repeat) implements PlaceResult {}

  /** No candidate host is up with a free slot; nothing was written. */
  record Full(String id) implements PlaceResult {}

  /** The host chosen earlier has been drained since: the instance cannot go on there. */
  record HostDown(String id, String host) implements PlaceResult {}
}
