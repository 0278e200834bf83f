package io.trynow.platform.state;

import java.util.List;

/**
 * Outcome of {@link PoolSizing#reserveProvision}.
 *
 * @param created ids of the {@code requested} records created, in the order given (maybe empty);
 *     publish one provision message per id
 * @param stats the template's counts after the call
 */
public record ReserveResult(List<String> created, PoolStats stats) {
  public ReserveResult {
    created = List.copyOf(created);
  }
}
