package io.trynow.platform.state;

import org.jboss.logging.Logger;

/**
 * Calls the library's functions through {@link Commands} (the Vert.x client), blocking the calling
 * thread (a worker or virtual thread, never an event loop). Loads the library on first use and
 * again whenever Valkey says a function is missing (after {@code FUNCTION FLUSH}, a restart without
 * persistence, or a failover to an empty replica), then retries the call once — safe, because the
 * call did not run.
 */
final class FunctionClient implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FunctionClient.class);

  private final Commands pool;
  private final Library library;
  private final String base;
  private volatile boolean loaded;

  FunctionClient(Commands pool, Library library, String base) {
    this.pool = pool;
    this.library = library;
    this.base = base;
  }

  /**
   * {@code FUNCTION LOAD REPLACE} of the library. Not waited for replicas: they get it by
   * replication, and a node that lacks it after a failover gets it again on the first call.
   */
  void load() {
    check(pool.call("FUNCTION", "LOAD", "REPLACE", library.source()));
    loaded = true;
    LOG.debugf("loaded valkey function library trynow_%s", library.version());
  }

  /**
   * {@code FCALL trynow_<v>_<name> 1 <base> args...}. A state change waits for the replicas the
   * store is set to wait for; a read-only function does not. Reloads and retries once if missing.
   */
  Reply call(String name, String... args) {
    if (!loaded) {
      load();
    }
    String[] cmd = fcall(name, args);
    boolean read = library.isReadOnly(name);
    Reply r = read ? pool.call(cmd) : pool.write(cmd);
    if (missing(r)) {
      LOG.infof("valkey lost the function library (%s); loading it again", r);
      load();
      r = read ? pool.call(cmd) : pool.write(cmd);
    }
    return check(r);
  }

  /**
   * {@link #call} without blocking anybody (an event loop may call it): the same function, the same
   * reload-and-retry-once when the library is missing; fails with what {@link #call} throws.
   */
  java.util.concurrent.CompletionStage<Reply> callAsync(String name, String... args) {
    String[] cmd = fcall(name, args);
    boolean read = library.isReadOnly(name);
    java.util.function.Supplier<java.util.concurrent.CompletionStage<Reply>> send =
        () -> read ? pool.callAsync(cmd) : pool.writeAsync(cmd);
    java.util.concurrent.CompletionStage<Reply> first =
        loaded ? send.get() : loadAsync().thenCompose(x -> send.get());
    return first
        .thenCompose(r -> {
          if (!missing(r)) {
            return java.util.concurrent.CompletableFuture.completedStage(r);
          }
          LOG.infof("valkey lost the function library (%s); loading it again", r);
          return loadAsync().thenCompose(x -> send.get());
        })
        .thenApply(FunctionClient::check);
  }

  private java.util.concurrent.CompletionStage<Void> loadAsync() {
    return pool.callAsync("FUNCTION", "LOAD", "REPLACE", library.source())
        .thenAccept(r -> {
          check(r);
          loaded = true;
        });
  }

  private String[] fcall(String name, String... args) {
    String[] cmd = new String[args.length + 4];
    cmd[0] = "FCALL";
    cmd[1] = library.function(name);
    cmd[2] = "1";
    cmd[3] = base;
    System.arraycopy(args, 0, cmd, 4, args.length);
    return cmd;
  }

  private static boolean missing(Reply r) {
    return r.isError() && r.toString().contains("Function not found");
  }

  /** A plain command (PING, and tests that damage the keyspace on purpose). */
  Reply command(String... args) {
    return check(pool.call(args));
  }

  /** {@link #command(String...)} named by a Vert.x command constant (kept for existing tests). */
  Reply command(io.vertx.redis.client.Command cmd, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = cmd.toString().toUpperCase(java.util.Locale.ROOT);
    System.arraycopy(args, 0, all, 1, args.length);
    return command(all);
  }

  /** PING without blocking: completes normally on PONG, exceptionally otherwise. */
  java.util.concurrent.CompletionStage<Void> ping() {
    return pool.callAsync("PING").thenAccept(FunctionClient::check);
  }

  /** Where Valkey is (no credentials). */
  String where() {
    return pool.where();
  }

  private static Reply check(Reply r) {
    if (r.isError()) {
      String m = r.toString();
      if (m.contains("BADARG")) {
        String why = m.substring(m.indexOf("BADARG"));
        int script = why.indexOf(" script: ");
        throw new IllegalArgumentException(script < 0 ? why : why.substring(0, script));
      }
      throw new StoreException(m);
    }
    return r;
  }

  @Override
  public void close() {
    pool.close();
  }
}
