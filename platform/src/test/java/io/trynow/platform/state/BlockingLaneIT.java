package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The blocking lane ({@link BlockingConnections}): a call from a thread that may block writes and
 * reads its own connection, so it needs no event-loop thread at all (proof: it answers while the
 * Vert.x client's only event loop is stuck, and without the lane the same call waits for it); an
 * idle connection the server closed is replaced before use, so the call after a restart does not
 * fail; a failed call drops the lane's connections.
 */
@WithRealServers(Kind.VALKEY)
class BlockingLaneIT {

  private static final Duration STUCK = Duration.ofMillis(1500);

  @Test
  void aBlockingCallAnswersWhileTheEventLoopIsStuck(ValkeyServer valkey) throws Exception {
    assertThat(callWhileEventLoopStuck(valkey, true)).isLessThan(STUCK.dividedBy(3));
    // the same call through the Vert.x client waits for its event loop: the test can fail
    assertThat(callWhileEventLoopStuck(valkey, false)).isGreaterThan(STUCK.dividedBy(2));
  }

  /** How long one store read took while the client's one event loop slept for {@link #STUCK}. */
  private static Duration callWhileEventLoopStuck(ValkeyServer valkey, boolean lane)
      throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Endpoint e = Endpoint.parse(valkey.url());
    ValkeyClient client =
        new ValkeyClient(
            Redis.createClient(vertx, new RedisOptions().setConnectionString(valkey.url())),
            vertx,
            e.toString(),
            Duration.ofSeconds(5),
            0,
            Duration.ofSeconds(1),
            lane ? new BlockingConnections(e, 2, Duration.ofSeconds(5)) : null);
    try (Store store =
        new Store(
            client, Fixtures.prefix("lane"), InstantSource.system(), Store.DEFAULT_RETENTION)) {
      store.request(Ids.newRequestId()); // library loaded, connections open
      CountDownLatch stuck = new CountDownLatch(1);
      vertx.runOnContext(v -> {
        stuck.countDown();
        try {
          Thread.sleep(STUCK);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(stuck.await(5, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      assertThat(store.request(Ids.newRequestId())).isEmpty();
      return Duration.ofNanos(System.nanoTime() - t0);
    }
  }

  @Test
  void anIdleConnectionTheServerClosedIsReplacedAndTheNextCallSucceeds(ValkeyServer valkey) {
    Endpoint e = Endpoint.parse(valkey.url());
    try (BlockingConnections lane = new BlockingConnections(e, 4, Duration.ofSeconds(5))) {
      assertThat(lane.send(java.util.List.<String[]>of(new String[] {"PING"})).get(0).toString())
          .isEqualTo("PONG");
      assertThat(lane.idleCount()).isEqualTo(1);
      // every client connection closed by the server while idle (as a restart does)
      valkey.call("CLIENT", "KILL", "TYPE", "normal");
      for (int i = 0; i < 3; i++) {
        assertThat(lane.send(java.util.List.<String[]>of(new String[] {"PING"})).get(0).toString())
            .isEqualTo("PONG");
      }
      assertThat(lane.idleCount()).isEqualTo(1);
    }
  }

  @Test
  void aPipelinedCallReadsEveryReplyInOrder(ValkeyServer valkey) {
    Endpoint e = Endpoint.parse(valkey.url());
    String key = "lane-" + Ids.newRequestId();
    try (BlockingConnections lane = new BlockingConnections(e, 1, Duration.ofSeconds(5))) {
      var replies =
          lane.send(
              java.util.List.of(
                  new String[] {"SET", key, "v"},
                  new String[] {"GET", key},
                  new String[] {"NOSUCHCOMMAND"},
                  new String[] {"DEL", key}));
      assertThat(replies).hasSize(4);
      assertThat(replies.get(0).toString()).isEqualTo("OK");
      assertThat(replies.get(1).toString()).isEqualTo("v");
      assertThat(replies.get(2).isError()).isTrue();
      assertThat(replies.get(3).toString()).isEqualTo("1");
    }
  }
}
