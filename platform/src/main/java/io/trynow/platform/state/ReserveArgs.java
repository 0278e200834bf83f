package io.trynow.platform.state;

import io.trynow.model.Ids;
import java.util.List;

/**
 * What {@link PoolSizing#reserveProvision} needs: the template's pool targets and the ids to use
 * for new records (generate them with {@link Ids#newInstanceId()}; only as many as the targets
 * allow are used).
 *
 * @param template template name
 * @param minReady ready instances to keep warm (plus one per waiting request)
 * @param maxTotal most live instances of this template
 * @param maxInFlight most instances of this template being provisioned at once
 * @param ids candidate ids, at most 100, each new
 */
public record ReserveArgs(
    String template, int minReady, int maxTotal, int maxInFlight, List<String> ids) {

  public ReserveArgs {
    Ids.requireTemplate(template);
    Args.requireNotNegative(minReady, "minReady");
    Args.requireNotNegative(maxTotal, "maxTotal");
    Args.requireNotNegative(maxInFlight, "maxInFlight");
    ids = List.copyOf(ids);
    if (ids.size() > 100) {
      throw new IllegalArgumentException("at most 100 ids per call");
    }
    ids.forEach(Ids::requireInstance);
  }
}
