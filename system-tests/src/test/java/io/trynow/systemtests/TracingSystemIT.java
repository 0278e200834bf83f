package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.trynow.model.Headers;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One acquire is one trace: a visitor's {@code POST /v1/demos} that carries a W3C {@code
 * traceparent} on a cold pool (nothing ready) goes gateway → pool-service (queues, wakes the
 * replenisher) → provisioner-worker (starts the container) → proxy-sync (routes it) and
 * pool-service (hands it to the queued visitor). Every NATS message of that chain carries the trace
 * id in its {@code traceparent} header, and each of the four services exports spans of that trace
 * with its real OTLP exporter ({@code http/protobuf}) to an {@link OtlpReceiver}.
 */
class TracingSystemIT {

  private static final String TEMPLATE = "traced";

  private static OtlpReceiver otlp;
  private static Stack stack;

  @BeforeAll
  static void start() {
    otlp = new OtlpReceiver();
    stack =
        Stacks.base("trace")
            .template(
                TEMPLATE,
                Map.of(
                    "image", io.trynow.testsupport.SampleImage.IMAGE,
                    "health-path", "/healthz",
                    "min-ready", "0",
                    "max-total", "2",
                    "max-in-flight", "1",
                    "health-timeout", "20s"))
            .property("trynow.tracing.otlp-endpoint", otlp.url())
            .property("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf")
            .property("quarkus.otel.bsp.schedule.delay", "200ms")
            .start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (otlp != null) {
      otlp.close();
    }
  }

  @Test
  void oneAcquireIsOneTraceAcrossTheServicesAndTheirNatsMessages() throws Exception {
    Map<String, String> traceparents = new ConcurrentHashMap<>();
    try (Connection nats = Nats.connect(new Options.Builder().server(stack.natsUrl()).build())) {
      Dispatcher d =
          nats.createDispatcher(m -> {
            if (m.hasHeaders() && m.getHeaders().getFirst(Headers.TRACEPARENT) != null) {
              traceparents.merge(
                  m.getSubject(), m.getHeaders().getFirst(Headers.TRACEPARENT), (a, b) -> a);
            }
          });
      d.subscribe("trynow.>");
      nats.flush(Duration.ofSeconds(5));

      ThreadLocalRandom r = ThreadLocalRandom.current();
      String traceId = HexFormat.of().formatHex(longs(r.nextLong(), r.nextLong()));
      String parent = HexFormat.of().formatHex(longs(r.nextLong()));
      Http.Answer a =
          Http.send(
              "POST",
              stack.url(Service.API_GATEWAY) + "/v1/demos",
              Map.of(Headers.TRACEPARENT, "00-" + traceId + "-" + parent + "-01"),
              "{\"template\":\"" + TEMPLATE + "\"}");
      assertThat(a.status()).as(a.toString()).isEqualTo(202); // queued: the pool was cold

      // the queued visitor gets the demo the acquire caused, and it is routed
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(() -> {
            List<String> assigned =
                stack.store().instances(InstanceState.ASSIGNED).stream()
                    .filter(i -> i.template().equals(TEMPLATE))
                    .map(io.trynow.platform.state.Instance::id)
                    .toList();
            assertThat(assigned).hasSize(1);
            assertThat(stack.routedInstanceIds()).contains(assigned.getFirst());
          });

      // the trace id travelled in the NATS headers of each hop
      String acquire = Subjects.acquire(TEMPLATE);
      String provision = Subjects.provision(TEMPLATE);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> {
            assertThat(traceparents.get(acquire)).as(acquire).contains(traceId);
            assertThat(traceparents.get(provision)).as(provision).contains(traceId);
            assertThat(traceparents)
                .as("an instance event of the new demo")
                .anySatisfy((subject, tp) -> {
                  assertThat(subject).startsWith("trynow.events.instance.");
                  assertThat(tp).contains(traceId);
                });
          });

      // and every service on the path exported spans of that one trace
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> {
            for (Service s :
                List.of(
                    Service.API_GATEWAY,
                    Service.POOL_SERVICE,
                    Service.PROVISIONER_WORKER,
                    Service.PROXY_SYNC)) {
              assertThat(otlp.hasSpan(s.module(), traceId))
                  .as("%s exported a span of trace %s (%d exports)", s, traceId, otlp.exports())
                  .isTrue();
            }
          });
      assertThat(otlp.hasSpan(Service.API_GATEWAY.module(), "0".repeat(31) + "1"))
          .as("a trace nobody started is not there")
          .isFalse();
    }
  }

  private static byte[] longs(long... values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * values.length);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }
}
