package io.trynow.pool.acquire;

import io.trynow.model.CleanupRequest;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Discarded;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.acquire.ClaimHook.Failure;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The claim check ({@link ClaimCheck}: probe, on-claim hook) of an instance just assigned to a
 * request, on both paths that assign one: a warm acquire and a queued request served when an
 * instance becomes ready ({@link QueueServer}). A failure discards the instance ({@code
 * discard_claim}: terminating, its teardown requested, the port freed by the cleanup worker) and
 * the request gets the next ready instance, checked in turn, else waits first in line.
 */
@Singleton
public class Claims {

  private static final Logger LOG = Logger.getLogger(Claims.class);

  private final Store store;
  private final Publisher publisher;
  private final ClaimCheck claimCheck;
  private final PoolMetrics metrics;

  public Claims(Store store, Publisher publisher, ClaimCheck claimCheck, PoolMetrics metrics) {
    this.store = store;
    this.publisher = publisher;
    this.claimCheck = claimCheck;
    this.metrics = metrics;
  }

  /**
   * The instance the request may be told about, or null when it is queued again (none was ready) or
   * its claim changed meanwhile: the answer then comes from the store.
   */
  public Instance checked(
      String requestId, String template, Template tpl, Instance assigned, String fieldsJson) {
    if (!claimCheck.enabled(tpl)) {
      return assigned;
    }
    Instance i = assigned;
    while (true) {
      long t0 = System.nanoTime();
      Optional<Failure> failure = claimCheck.check(i, tpl, requestId, fieldsJson);
      metrics.claimCheck(template, System.nanoTime() - t0, failure.isEmpty());
      if (failure.isEmpty()) {
        return store.requests().claimChecked(requestId, i.id()) ? i : null;
      }
      if (!failure.get().kind().equals("probe")) {
        metrics.hookFailed(template, failure.get().kind());
      }
      LOG.warnf(
          "instance %s failed its claim check (%s): discarded", i.id(), failure.get().reason());
      Discarded next = store.requests().discardClaim(requestId, i.id(), failure.get().reason());
      teardown(i.id(), requestId);
      if (next.outcome() != Discarded.Outcome.REASSIGNED) {
        return null;
      }
      i = next.next();
    }
  }

  private void teardown(String instanceId, String requestId) {
    try {
      publisher.publish(new CleanupRequest(instanceId, "failed", requestId));
    } catch (MessagingException e) {
      // terminating and unclaimed: the cleanup worker's sweeper finds it
      LOG.warnf("teardown of %s not requested: %s", instanceId, e.getMessage());
    }
  }
}
