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
import io.trynow.platform.warmup.WarmUpConfig;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
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
    long streamed = streamed(jsm);
    Set<Object> before = keys();
    double acquires = acquiresCounted();
    CrowdWarmUp another =
        new CrowdWarmUp(
            new WarmUpConfig() {
              @Override
              public int rounds() {
                return 12;
              }

              @Override
              public Duration maxTime() {
                return Duration.ofMinutes(1);
              }
            },
            views,
            mapper,
            templates,
            nats);
    assertThat(another.call().getStatus().name()).isEqualTo("DOWN");
    WarmUp.Result r = another.run(root.getPort());
    assertThat(r.failure()).isNull();
    assertThat(r.rounds()).isEqualTo(12);
    assertThat(another.statusReads()).isEqualTo(12);
    assertThat(another.feeds()).isEqualTo(3);
    assertThat(another.call().getStatus().name()).isEqualTo("UP");
    assertThat(before).containsAll(keys());
    assertThat(streamed(jsm)).isEqualTo(streamed);
    assertThat(acquiresCounted()).isEqualTo(acquires);
  }

  private double acquiresCounted() {
    return meters.find("trynow.gateway.acquires").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  private Set<Object> keys() {
    var valkey = RealServersResource.servers().valkey();
    Set<Object> out = new HashSet<>();
    for (String k : List.of("r:*", "ip:*", "rl:*", "sse:*")) {
      out.addAll((List<?>) valkey.call("KEYS", "{" + store.prefix() + "}:" + k));
    }
    return out;
  }

  private static long streamed(io.nats.client.JetStreamManagement jsm) throws Exception {
    long n = 0;
    for (String stream : jsm.getStreamNames()) {
      n += jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    }
    return n;
  }
}
