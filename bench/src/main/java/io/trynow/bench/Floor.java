package io.trynow.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.trynow.model.Ids;
import io.trynow.platform.state.Store;
import java.time.Duration;

/** The raw floor of an acquire: one Lua call, one JetStream PubAck, one core request/reply. */
final class Floor {

  private Floor() {}

  /** The raw floor, each measured alone and sequentially: Lua call, PubAck, core request/reply. */
  static Stats[] floor(Store store, String natsUrl, int n) throws Exception {
    Stats lua = new Stats("floor: one Lua call (FCALL get_request)");
    Stats pubAck = new Stats("floor: JetStream publish + PubAck");
    Stats reqReply = new Stats("floor: core NATS request/reply");
    for (int i = 0; i < n / 5; i++) {
      store.request(Ids.newRequestId());
    }
    lua.start();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      store.request(Ids.newRequestId());
      lua.record(System.nanoTime() - s);
    }
    lua.stop();
    try (Connection nc = Nats.connect(natsUrl)) {
      nc.jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("BENCH_FLOOR")
                  .subjects("bench.floor.>")
                  .storageType(StorageType.File)
                  .build());
      JetStream js = nc.jetStream();
      byte[] payload = new byte[256];
      for (int i = 0; i < n + n / 5; i++) {
        long s = System.nanoTime();
        js.publish(
            "bench.floor.x", payload, PublishOptions.builder().messageId("floor-" + i).build());
        if (i == n / 5) {
          pubAck.start();
        }
        if (i >= n / 5) {
          pubAck.record(System.nanoTime() - s);
        }
      }
      pubAck.stop();
      Dispatcher echo = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
      echo.subscribe("bench.echo");
      nc.flush(Duration.ofSeconds(2));
      for (int i = 0; i < n + n / 5; i++) {
        long s = System.nanoTime();
        nc.request("bench.echo", payload, Duration.ofSeconds(2));
        if (i == n / 5) {
          reqReply.start();
        }
        if (i >= n / 5) {
          reqReply.record(System.nanoTime() - s);
        }
      }
      reqReply.stop();
    }
    return new Stats[] {lua, pubAck, reqReply};
  }

  /** The floor probes, sampled at a low rate while the load runs. */
  static final class Probe implements AutoCloseable {
    final Stats[] stats = {
      new Stats("under load: one Lua call"),
      new Stats("under load: JetStream PubAck"),
      new Stats("under load: core request/reply")
    };
    private final Store store;
    private final Connection nc;
    private final JetStream js;
    private volatile boolean stopped;
    private int seq;

    Probe(Store store, String natsUrl) throws Exception {
      this.store = store;
      this.nc = Nats.connect(natsUrl);
      this.js = nc.jetStream();
      Dispatcher echo = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
      echo.subscribe("bench.echo2");
      nc.flush(Duration.ofSeconds(2));
    }

    void runUntilStopped() {
      byte[] payload = new byte[256];
      while (!stopped) {
        try {
          long s = System.nanoTime();
          store.request(Ids.newRequestId());
          stats[0].record(System.nanoTime() - s);
          s = System.nanoTime();
          js.publish(
              "bench.floor.y",
              payload,
              PublishOptions.builder().messageId("probe-" + seq++).build());
          stats[1].record(System.nanoTime() - s);
          s = System.nanoTime();
          nc.request("bench.echo2", payload, Duration.ofSeconds(2));
          stats[2].record(System.nanoTime() - s);
          Thread.sleep(20);
        } catch (Exception e) {
          stats[0].error();
        }
      }
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void close() throws InterruptedException {
      nc.close();
    }
  }
}
