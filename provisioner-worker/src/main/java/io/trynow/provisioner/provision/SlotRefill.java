package io.trynow.provisioner.provision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.model.Ids;
import io.trynow.model.ProvisionRequest;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.ReserveResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The provision that frees a {@code max-in-flight} slot ({@code mark_started}) asks for the next
 * one itself: one {@code reserve_provision} (the same atomic call, targets and caps as
 * pool-service's replenisher, so any number of callers never over-provision) and one provision
 * message per record it created, before the {@code started} event goes out. It reserves up to
 * {@link io.trynow.platform.template.TemplatesConfig#LOOKAHEAD} × {@code max-in-flight} records in
 * flight (as the replenisher does): the ones beyond are claimed, placed and given a port while they
 * wait for an engine slot ({@link EngineSlots}), so that bookkeeping no longer holds a slot the
 * engine could use. In a flash crowd the engine then gets its next container without the round trip
 * through pool-service (started event → replenisher wake-up → reserve → publish), which on the busy
 * 2-core machine cost 40-270 ms per freed slot. The replenisher still runs on the same event and
 * finds nothing left to do. Best effort: a failure leaves the replenisher to do it (a record
 * without its message is published again by its timer).
 */
public final class SlotRefill {

  private static final Logger LOG = Logger.getLogger(SlotRefill.class);

  /**
   * {@code trynow_provisioner_refills_total{template}}: records this worker reserved and published
   * when a provision freed its slot (pool-service's {@code trynow_pool_provision_requests_total}
   * counts the replenisher's).
   */
  static final String REFILLS = "trynow.provisioner.refills";

  private final Store store;
  private final Publisher publisher;
  private final MeterRegistry registry;

  public SlotRefill(Store store, Publisher publisher, MeterRegistry registry) {
    this.store = store;
    this.publisher = publisher;
    this.registry = registry;
  }

  /** Reserves what the pool of {@code template} still needs now; returns the ids published. */
  public List<String> afterStarted(String template, Template tpl) {
    // up to LOOKAHEAD x max-in-flight records: the provisioner prepares them (claim, place, port)
    // while the engine's max-in-flight slots are busy (EngineSlots gates the engine's work)
    int cap = tpl.reserveCap();
    int n = Math.min(100, cap);
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newInstanceId());
    }
    ReserveResult r;
    try {
      r =
          store
              .sizing()
              .reserveProvision(
                  new ReserveArgs(template, tpl.minReady(), tpl.maxTotal(), cap, ids));
    } catch (StoreException e) {
      LOG.debugf("template %s: no refill after started (%s)", template, e.getMessage());
      return List.of();
    }
    List<String> published = new ArrayList<>(r.created().size());
    for (String id : r.created()) {
      try {
        publisher.publish(new ProvisionRequest(id, template, null));
        published.add(id);
      } catch (MessagingException e) {
        // The record stays requested: pool-service's replenisher publishes it again.
        LOG.warnf("provision request for %s not published yet: %s", id, e.getMessage());
      }
    }
    if (!published.isEmpty()) {
      Counter.builder(REFILLS)
          .description("records reserved and published when a provision freed its slot")
          .tag("template", template)
          .register(registry)
          .increment(published.size());
      LOG.infof(
          "template %s: %d instance(s) requested as a slot freed", template, published.size());
    }
    return published;
  }
}
