package io.trynow.pool.acquire;

import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Requests;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.pool.messaging.PoolEvents;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Serves queued visitors of templates whose claims are checked (probe before claim, on-claim hook).
 * For those, proxy-sync's {@code mark_ready} pools a new instance instead of handing it straight to
 * the oldest waiting visitor, and this hands it over ({@code serve_queue}), runs the claim check
 * ({@link Claims}: a failure discards the instance and the visitor stays first in line) and only
 * then tells the visitor ({@code request.<rid>.assigned}). Run by the replenisher on every {@code
 * ready} event and on its timer; any number of replicas may run it (each hand-over is one atomic
 * call).
 */
@Singleton
public class QueueServer {

  private static final Logger LOG = Logger.getLogger(QueueServer.class);

  private final Store store;
  private final Claims claims;
  private final PoolEvents events;

  public QueueServer(Store store, Claims claims, PoolEvents events) {
    this.store = store;
    this.claims = claims;
    this.events = events;
  }

  /** Hands ready instances to waiting visitors of {@code template} while both exist. */
  public int serve(String template, Template tpl) {
    if (!tpl.checksClaims()) {
      return 0;
    }
    int served = 0;
    while (true) {
      Optional<Requests.Served> s = store.requests().serveQueue(template);
      if (s.isEmpty()) {
        return served;
      }
      String rid = s.get().requestId();
      Instance i = claims.checked(rid, template, tpl, s.get().instance(), s.get().fieldsJson());
      if (i != null) {
        events.assigned(i, rid);
        LOG.infof("instance %s handed to waiting request %s after its claim check", i.id(), rid);
        served++;
      }
    }
  }
}
