package io.trynow.platform.state;

/**
 * How the store sends a command: {@link ValkeyClient} in production; the benchmark plugs in the
 * former blocking-socket client here to compare both through the same {@link Store} code.
 */
interface Commands extends AutoCloseable {

  /**
   * One command, one reply, blocking the caller (a worker or virtual thread). An error reply is
   * returned ({@link Reply#isError()}); a failure to get any reply throws {@link StoreException}.
   */
  Reply call(String... args);

  /**
   * As {@link #call}, for a state change: when the store is set to wait for replicas, the reply is
   * returned only once that many replicas have the change ({@code WAIT}).
   */
  default Reply write(String... args) {
    return call(args);
  }

  /** One command without blocking anybody: the reply (or error reply) completes the stage. */
  java.util.concurrent.CompletionStage<Reply> callAsync(String... args);

  /** As {@link #callAsync}, for a state change (with {@code WAIT}, as {@link #write}). */
  default java.util.concurrent.CompletionStage<Reply> writeAsync(String... args) {
    return callAsync(args);
  }

  /** Where the server is, for messages (never credentials). */
  String where();

  @Override
  void close();
}
