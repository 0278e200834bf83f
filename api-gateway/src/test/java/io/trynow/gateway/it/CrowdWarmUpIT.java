package io.trynow.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.gateway.rest.CrowdWarmUp;
import io.trynow.gateway.view.Views;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Set;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

/**
 * The gateway's startup warm-up of a queued visitor's paths ({@link CrowdWarmUp}) read each fresh
 * request's status through the real listener (200 pending: a round that gets anything else fails
 * the warm-up) and opened its event feed, and it changes nothing: no request, address, rate-limit
 * or event-stream slot record in Valkey, no message in any stream, no acquire counted.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class CrowdWarmUpIT {

  @Inject @Readiness CrowdWarmUp warmUp;
  @Inject Store store;
  @Inject Views views;
  @Inject ObjectMapper mapper;
  @Inject TemplatesConfig templates;
  @Inject NatsClient nats;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  @TestHTTPResource("/")
  URL root;

  @Test
  void theWarmUpReadStatusesThroughTheListenerAndChangesNothing() throws Exception {
    // off in the test profile (rounds=0): ready at once, and says so
    assertThat(warmUp.call().getStatus().name()).isEqualTo("UP");
    assertThat(warmUp.result().rounds()).isZero();

    var jsm = nats.awaitConnection().jetStreamManagement();
    long streamed = WarmUpTraces.streamed(jsm);
    Set<Object> before = WarmUpTraces.keys(store, "r:*", "ip:*", "rl:*", "sse:*");
    double acquires = WarmUpTraces.acquiresCounted(meters);
    CrowdWarmUp another = new CrowdWarmUp(WarmUpTraces.rounds(12), views, mapper, templates, nats);
    assertThat(another.call().getStatus().name()).isEqualTo("DOWN");
    WarmUp.Result r = another.run(root.getPort());
    assertThat(r.failure()).isNull();
    assertThat(r.rounds()).isEqualTo(12);
    assertThat(another.statusReads()).isEqualTo(12);
    assertThat(another.feeds()).isEqualTo(3);
    assertThat(another.call().getStatus().name()).isEqualTo("UP");
    assertThat(before).containsAll(WarmUpTraces.keys(store, "r:*", "ip:*", "rl:*", "sse:*"));
    assertThat(WarmUpTraces.streamed(jsm)).isEqualTo(streamed);
    assertThat(WarmUpTraces.acquiresCounted(meters)).isEqualTo(acquires);
  }
}
