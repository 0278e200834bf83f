package io.trynow.pool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Fills a template's pool through the store, the way provisioner and proxy-sync would. */
public final class Pools {

  private Pools() {}

  /** Makes {@code n} more ready instances of {@code template}; returns their ids. */
  public static List<String> fill(Store store, String template, int n) {
    List<String> out = new ArrayList<>();
    while (out.size() < n) {
      int batch = Math.min(100, n - out.size());
      List<String> created = requested(store, template, batch);
      for (String id : created) {
        Instance s = started(store, id);
        ReadyResult r = store.provisioning().markReady(s.id(), url(s.id()));
        assertThat(r).isInstanceOf(ReadyResult.Pooled.class);
        out.add(id);
      }
    }
    return out;
  }

  /** {@code n} requested records, beyond any target. */
  public static List<String> requested(Store store, String template, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newInstanceId());
    }
    long ready = store.poolStats(template).ready();
    long inFlight = store.poolStats(template).inFlight();
    int target = (int) Math.min(Integer.MAX_VALUE - 1, ready + inFlight + n);
    List<String> created =
        store
            .sizing()
            .reserveProvision(new ReserveArgs(template, target, 1_000_000, 1_000_000, ids))
            .created();
    assertThat(created).hasSize(n);
    return created;
  }

  /** Takes a requested record to started (claim, port, container). */
  public static Instance started(Store store, String id) {
    ClaimResult.Claimed c =
        (ClaimResult.Claimed) store.claims().claimProvision(id, Duration.ofMinutes(5));
    assertThat(store.provisioning().allocatePort(id, c.fence()))
        .isInstanceOf(PortResult.Allocated.class);
    return ((Changed) store.provisioning().markStarted(id, c.fence(), "trynow-" + id)).instance();
  }

  public static String url(String id) {
    return "http://" + id + ".demo.localhost:8088/";
  }
}
