package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopConnections}: a command sent from an event loop goes over that loop's own connection
 * once it is open (the same client id every time, another one than a caller off the loop gets), a
 * connection killed under it is replaced, and replicated writes ({@code WAIT}) work on it too.
 */
@WithRealServers(Kind.VALKEY)
class LoopConnectionsIT {

  @Test
  void aLoopKeepsItsOwnConnectionAndGetsANewOneAfterItDies(ValkeyServer valkey) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis redis =
        Redis.createClient(
            vertx, new RedisOptions().setConnectionString(valkey.url()).setMaxPoolSize(4));
    try (ValkeyClient client =
        new ValkeyClient(
                redis, vertx, "test", Duration.ofSeconds(5), 0, Duration.ofSeconds(1), null)
            .withLoopConnections()) {
      Context loop = vertx.getOrCreateContext();
      // the first call opens the loop's connection in the background (it goes through the pool);
      // then every call from the loop has one client id, not the one a caller off the loop gets
      await().atMost(Duration.ofSeconds(5)).until(() -> ownConnection(client, loop) != null);
      long own = ownConnection(client, loop);
      assertThat(onLoop(loop, () -> ids(client, 20))).containsOnly(own);

      valkey.call("CLIENT", "KILL", "ID", String.valueOf(own));
      // calls go on (through the pool meanwhile), and the loop opens a new connection of its own:
      // again one id on the loop, not the one a caller off the loop gets
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> {
            Long now = ownConnection(client, loop);
            return now != null && now != own;
          });
    }
  }

  /** The loop's own connection's client id, or null when its calls do not show one yet. */
  private static Long ownConnection(ValkeyClient client, Context loop) throws Exception {
    List<Long> ids = onLoop(loop, () -> ids(client, 5));
    long off = id(client.callAsync("CLIENT", "ID").toCompletableFuture().get(5, TimeUnit.SECONDS));
    return ids.stream().distinct().count() == 1 && ids.get(0) != off ? ids.get(0) : null;
  }

  @Test
  void replicatedWritesGoOverTheLoopConnectionToo(ValkeyServer valkey) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis redis =
        Redis.createClient(
            vertx, new RedisOptions().setConnectionString(valkey.url()).setMaxPoolSize(4));
    try (ValkeyClient client =
        new ValkeyClient(
                redis, vertx, "test", Duration.ofSeconds(5), 1, Duration.ofMillis(50), null)
            .withLoopConnections()) {
      Context loop = vertx.getOrCreateContext();
      await().atMost(Duration.ofSeconds(5)).until(() -> ownConnection(client, loop) != null);
      // no replica: WAIT 1 answers 0, and the change is reported as possibly lost
      CompletableFuture<String> outcome = new CompletableFuture<>();
      loop.runOnContext(v ->
          client
              .writeAsync("SET", "loop-key", "1")
              .whenComplete((r, e) -> outcome.complete(e == null ? "ok" : e.getMessage())));
      assertThat(outcome.get(5, TimeUnit.SECONDS)).contains("0 of 1 replica(s)");
      assertThat(valkey.call("GET", "loop-key")).isEqualTo("1");
    }
  }

  @Test
  void aCallFromALoopThatGetsNoAnswerFailsAfterTheTimeout(ValkeyServer valkey) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis redis =
        Redis.createClient(
            vertx, new RedisOptions().setConnectionString(valkey.url()).setMaxPoolSize(4));
    try (ValkeyClient client =
        new ValkeyClient(
                redis, vertx, "test", Duration.ofMillis(300), 0, Duration.ofSeconds(1), null)
            .withLoopConnections()) {
      Context loop = vertx.getOrCreateContext();
      // the timeout of a call made on an event loop is a timer of that loop (not the JDK's delay
      // scheduler): a command Valkey holds (BLPOP of an empty list) fails after it all the same
      CompletableFuture<String> outcome = new CompletableFuture<>();
      long t0 = System.nanoTime();
      loop.runOnContext(v ->
          client
              .callAsync("BLPOP", "loop-nothing", "0")
              .whenComplete((r, e) -> outcome.complete(e == null ? "answered" : e.getMessage())));
      assertThat(outcome.get(5, TimeUnit.SECONDS)).contains("did not answer within 300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isBetween(Duration.ofMillis(250), Duration.ofSeconds(4));
      // and a call that is answered is not failed later by its timer
      CompletableFuture<String> answered = new CompletableFuture<>();
      loop.runOnContext(v ->
          client
              .callAsync("PING")
              .whenComplete((r, e) -> answered.complete(e == null ? "answered" : e.getMessage())));
      assertThat(answered.get(5, TimeUnit.SECONDS)).isEqualTo("answered");
    }
  }

  /** {@code n} times {@code CLIENT ID}, one after the other, sent from the calling loop. */
  private static CompletableFuture<List<Long>> ids(ValkeyClient client, int n) {
    List<Long> out = new ArrayList<>();
    CompletableFuture<List<Long>> done = new CompletableFuture<>();
    next(client, n, out, done);
    return done;
  }

  private static void next(
      ValkeyClient client, int left, List<Long> out, CompletableFuture<List<Long>> done) {
    if (left == 0) {
      done.complete(out);
      return;
    }
    client
        .callAsync("CLIENT", "ID")
        .whenComplete((r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
            return;
          }
          out.add(id(r));
          // the callback runs on the loop: the next call is sent from it too
          assertThat(Context.isOnEventLoopThread()).isTrue();
          next(client, left - 1, out, done);
        });
  }

  /** {@code work} started on {@code loop}; its result. */
  private static <T> T onLoop(Context loop, Supplier<CompletableFuture<T>> work) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.runOnContext(v ->
        work.get()
            .whenComplete((r, e) -> {
              if (e != null) {
                f.completeExceptionally(e);
              } else {
                f.complete(r);
              }
            }));
    return f.get(5, TimeUnit.SECONDS);
  }

  private static long id(Reply r) {
    return Long.parseLong(r.toString());
  }
}
