package io.trynow.platform.state;

/**
 * Instances of a template that reached {@code started} within a window, and when the oldest of them
 * did ({@code 0} when none): the ETA's provisioning throughput, shared by every replica.
 */
public record ProvisionRate(long count, long oldestMs) {}
