package io.trynow.platform.state;

import java.util.List;

/**
 * Outcome of {@link Capacity#hostDown}: whether this call drained the host, and the instances it
 * took off the host (failed, or terminated when they were being torn down) — returned once, to the
 * caller that drained them, to publish their events.
 */
public record HostDrain(String host, boolean newly, List<Instance> instances) {}
