package io.trynow.platform.state;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The store's Valkey client: the Vert.x Redis client of quarkus-redis-client (in a service, the one
 * Quarkus configures from {@code quarkus.redis.*}: TLS, password, ACL user, Sentinel), used through
 * its non-blocking API. {@link #send} returns the reply as a future on the client's event loop;
 * {@link #call} waits for it on the caller's thread, which must be a worker or virtual thread — an
 * event-loop caller is refused instead of stalling the loop.
 *
 * <p>With a standalone Valkey without TLS, {@link #call} and {@link #write} go over the {@link
 * BlockingConnections blocking lane} instead: the calling thread writes and reads the socket itself
 * (no wake-up of the event loop and back, which is what a call costs when traffic is sparse), and
 * only when all of its connections are busy through the Vert.x client.
 *
 * <p>A failed command is never retried here (it may have run). With {@code waitReplicas > 0} a
 * state change is sent together with {@code WAIT n timeout} in one pipelined batch on one
 * connection: its reply counts only when {@code n} replicas acknowledged it, so a failover to one
 * of them cannot lose a change the caller was told about.
 */
final class ValkeyClient implements Commands {

  private final Redis redis;
  private final Vertx ownedVertx;
  private final String where;
  private final long timeoutMs;
  private final int waitReplicas;
  private final Duration waitTimeout;
  private final BlockingConnections blocking;

  /**
   * @param redis the client (not closed by {@link #close}, unless {@code ownedVertx} is set)
   * @param ownedVertx a Vert.x instance this client made and closes, or null
   * @param where the address for messages
   * @param timeout how long {@link #call} waits for a reply
   * @param waitReplicas replicas that must have a state change before it counts (0: none)
   * @param waitTimeout how long Valkey waits for them
   * @param blocking the blocking lane for {@link #call} / {@link #write} (closed with this client),
   *     or null: every call through the Vert.x client
   */
  ValkeyClient(
      Redis redis,
      Vertx ownedVertx,
      String where,
      Duration timeout,
      int waitReplicas,
      Duration waitTimeout,
      BlockingConnections blocking) {
    this.blocking = blocking;
    this.redis = redis;
    this.ownedVertx = ownedVertx;
    this.where = where;
    this.timeoutMs = timeout.toMillis();
    this.waitReplicas = waitReplicas;
    this.waitTimeout = waitTimeout;
  }

  /** A client on its own Vert.x instance (tests, benchmarks, tools): standalone Valkey at url. */
  static ValkeyClient standalone(String url, int poolSize, Duration timeout) {
    return standalone(url, poolSize, timeout, 0, Duration.ofSeconds(1));
  }

  /** As {@link #standalone(String, int, Duration)}, waiting for replicas after each change. */
  static ValkeyClient standalone(
      String url, int poolSize, Duration timeout, int waitReplicas, Duration waitTimeout) {
    Endpoint e = Endpoint.parse(url);
    Vertx vertx = Vertx.vertx();
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(url.split(",")[0].strip())
            .setMaxPoolSize(poolSize)
            .setMaxPoolWaiting(Math.max(1024, poolSize * 16))
            .setMaxWaitingHandlers(4096);
    return new ValkeyClient(
        Redis.createClient(vertx, options),
        vertx,
        e.toString(),
        timeout,
        waitReplicas,
        waitTimeout,
        e.tls() ? null : new BlockingConnections(e, poolSize, timeout));
  }

  /** Event-loop callers' own connections ({@link LoopConnections}), or null: all via the pool. */
  private volatile LoopConnections loops;

  /**
   * Commands sent from an event loop go over that loop's own connection from now on ({@link
   * LoopConnections}); for a standalone Valkey only. Returns this client.
   */
  ValkeyClient withLoopConnections() {
    loops = new LoopConnections(redis);
    return this;
  }

  /** The calling event loop's own connection, or null (the pool). */
  private io.vertx.redis.client.RedisConnection loopConnection() {
    LoopConnections l = loops;
    return l == null ? null : l.current();
  }

  /** The command as a future, completed on the client's event loop. Error replies fail it. */
  Future<Response> send(String... args) {
    io.vertx.redis.client.RedisConnection c = loopConnection();
    return c != null ? c.send(request(args)) : redis.send(request(args));
  }

  /** {@link #send} then {@code WAIT}, pipelined on one connection; the future holds the first. */
  Future<Response> sendReplicated(String... args) {
    if (waitReplicas == 0) {
      return send(args);
    }
    List<Request> batch =
        List.of(
            request(args), Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitTimeout.toMillis()));
    io.vertx.redis.client.RedisConnection c = loopConnection();
    return (c != null ? c.batch(batch) : redis.batch(batch))
        .map(replies -> {
          checkReplicas(replies.get(1).toLong());
          return replies.get(0);
        });
  }

  private void checkReplicas(long acked) {
    if (acked < waitReplicas) {
      throw new StoreException(
          "valkey at "
              + where
              + ": the change reached "
              + acked
              + " of "
              + waitReplicas
              + " replica(s) within "
              + waitTimeout.toMillis()
              + " ms; it may be lost on a failover");
    }
  }

  @Override
  public java.util.concurrent.CompletionStage<Reply> callAsync(String... args) {
    return settled(send(args));
  }

  @Override
  public java.util.concurrent.CompletionStage<Reply> writeAsync(String... args) {
    return settled(sendReplicated(args));
  }

  /**
   * An error reply as a value (as {@link #call} returns it), any other failure as StoreException;
   * no answer within the timeout fails it as {@link #call} would.
   */
  private java.util.concurrent.CompletionStage<Reply> settled(Future<Response> future) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    Context loop = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
    long timer = loop == null ? -1 : loop.owner().setTimer(timeoutMs, id -> f.complete(null));
    future
        .transform(ar -> {
          if (ar.succeeded()) {
            return Future.succeededFuture(reply(ar.result()));
          }
          if (ar.cause() instanceof Response r && r.type() == ResponseType.ERROR) {
            return Future.succeededFuture(Reply.error(r.toString()));
          }
          if (ar.cause() instanceof StoreException se) {
            return Future.failedFuture(se);
          }
          return Future.failedFuture(
              new StoreException(
                  "valkey at " + where + " failed: " + describe(ar.cause()), ar.cause()));
        })
        .onComplete(ar -> {
          if (timer >= 0) {
            loop.owner().cancelTimer(timer);
          }
          if (ar.succeeded()) {
            f.complete(ar.result());
          } else {
            f.completeExceptionally(ar.cause());
          }
        });
    if (loop == null) {
      f.completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS);
    }
    // else the timeout is a timer of the calling event loop: the JDK's shared delay scheduler
    // (completeOnTimeout) is a thread of its own, woken by every call to note the new deadline;
    // when traffic is sparse that wake-up is one more thread on the two cores per store call
    return f.thenApply(r -> {
      if (r == null) {
        throw new StoreException(
            "valkey at " + where + " did not answer within " + timeoutMs + " ms");
      }
      return r;
    });
  }

  @Override
  public Reply call(String... args) {
    if (blocking != null && !Context.isOnEventLoopThread()) {
      List<Reply> r = blocking.send(List.<String[]>of(args));
      if (r != null) {
        return r.get(0);
      }
    }
    return await(send(args), args);
  }

  @Override
  public Reply write(String... args) {
    if (blocking != null && !Context.isOnEventLoopThread()) {
      List<Reply> r =
          blocking.send(
              waitReplicas == 0
                  ? List.<String[]>of(args)
                  : List.of(
                      args,
                      new String[] {
                        "WAIT", String.valueOf(waitReplicas), String.valueOf(waitTimeout.toMillis())
                      }));
      if (r != null) {
        if (waitReplicas > 0 && !r.get(0).isError()) {
          if (r.get(1).isError()) {
            return r.get(1);
          }
          checkReplicas(Long.parseLong(r.get(1).toString()));
        }
        return r.get(0);
      }
    }
    return await(sendReplicated(args), args);
  }

  private Reply await(Future<Response> future, String[] args) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException(
          "store call "
              + args[0]
              + " on an event loop thread: call the store from a worker or"
              + " virtual thread");
    }
    CompletableFuture<Response> f = future.toCompletionStage().toCompletableFuture();
    try {
      return reply(f.get(timeoutMs, TimeUnit.MILLISECONDS));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Response r && r.type() == ResponseType.ERROR) {
        return Reply.error(r.toString());
      }
      if (cause instanceof StoreException se) {
        throw se;
      }
      throw new StoreException("valkey at " + where + " failed: " + describe(cause), cause);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new StoreException(
          "valkey at " + where + " did not answer within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for valkey at " + where, e);
    }
  }

  /** The failure's message, with its causes (a TLS or AUTH failure is often wrapped). */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 600; c = c.getCause()) {
      if (!sb.isEmpty()) {
        sb.append(": ");
      }
      String m = c.getMessage();
      sb.append(m == null || m.isBlank() ? c.getClass().getSimpleName() : m);
      if (c.getCause() == c) {
        break;
      }
    }
    return sb.toString();
  }

  private static Request request(String[] args) {
    Request r = Request.cmd(Command.create(args[0]));
    for (int i = 1; i < args.length; i++) {
      r.arg(args[i]);
    }
    return r;
  }

  /** Vert.x reply to the store's {@link Reply} (RESP2 and RESP3 shapes alike). */
  static Reply reply(Response r) {
    if (r == null) {
      return Reply.NIL;
    }
    return switch (r.type()) {
      case ERROR -> Reply.error(r.toString());
      case MULTI, ATTRIBUTE -> {
        List<Reply> elements = new ArrayList<>(r.size());
        for (Response e : r) {
          elements.add(reply(e));
        }
        yield Reply.array(elements);
      }
      case BOOLEAN -> Reply.text(r.toBoolean() ? "1" : "0");
      default -> Reply.text(r.toString());
    };
  }

  @Override
  public String where() {
    return where;
  }

  @Override
  public void close() {
    if (blocking != null) {
      blocking.close();
    }
    LoopConnections l = loops;
    if (l != null) {
      l.close();
    }
    if (ownedVertx != null) {
      redis.close();
      ownedVertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS);
    }
  }
}
