package io.trynow.platform.state;

import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The trynow state in Valkey: the connection, the function library and the reads; the state changes
 * are grouped by concern behind {@link #requests()}, {@link #sizing()}, {@link #claims()}, {@link
 * #provisioning()}, {@link #capacity()}, {@link #lifecycle()} and {@link #limits()}. Every state
 * change is one call of one Lua function of the trynow Function library (compare-and-set on the
 * from-state, version bump, every index in step, validation before any write); this class only
 * marshals arguments and decodes replies. Expected outcomes (wrong state, not found, limits, stale
 * fence, bad token) are result types; a {@link StoreException} means Valkey could not answer, an
 * {@link IllegalArgumentException} a bad argument.
 *
 * <p>All keys live under one hash tag, {@code {<prefix>}:}, so every function is legal on Valkey
 * Cluster. Time comes from this store's clock and is passed into every function.
 *
 * <p>Calls block the calling thread: use worker or virtual threads, never an event loop.
 * Thread-safe. In a Quarkus service inject it (see {@link StoreProducer}); elsewhere use {@link
 * #connect}.
 */
public final class Store implements AutoCloseable {

  /** Valid key prefixes. */
  public static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** How long tombstones (terminated/failed records) and ended requests are kept. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

  /** Per-call deadline. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** Connections in the pool: enough for ~64 concurrent callers. */
  public static final int POOL_SIZE = 64;

  private final FunctionClient client;
  private final String prefix;
  private final InstantSource clock;
  private final String retentionMs;
  private final Requests requests;
  private final PoolSizing sizing;
  private final Claims claims;
  private final Provisioning provisioning;
  private final Capacity capacity;
  private final Lifecycle lifecycle;
  private final Limits limits;

  /**
   * A store on its own connection pool.
   *
   * @param url {@code redis[s]://[[user]:password@]host[:port][/db]} (standalone; TLS, Sentinel and
   *     the rest come with the Quarkus-configured client, see {@link StoreProducer})
   * @param prefix key prefix ({@link #PREFIX}); keys are {@code {<prefix>}:...}
   * @param clock where the time passed into the functions comes from
   * @param retention how long tombstones and ended requests are kept
   * @param timeout per-call deadline (connect, wait for a connection, reply)
   * @param poolSize most connections, i.e. most calls in flight at once
   */
  public Store(
      String url,
      String prefix,
      InstantSource clock,
      Duration retention,
      Duration timeout,
      int poolSize) {
    this(ValkeyClient.standalone(url, poolSize, requireTimeout(timeout)), prefix, clock, retention);
  }

  /** A store on the given client (the service's Quarkus-configured one, or a benchmark's). */
  Store(Commands commands, String prefix, InstantSource clock, Duration retention) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      commands.close();
      throw new IllegalArgumentException("trynow.valkey.prefix must match " + PREFIX);
    }
    Args.requirePositive(retention, "retention");
    this.prefix = prefix;
    this.clock = clock;
    this.retentionMs = Args.ms(retention);
    this.client = new FunctionClient(commands, Library.fromResources(), "{" + prefix + "}:");
    this.requests = new Requests(client, clock, retentionMs);
    this.sizing = new PoolSizing(client, clock, retentionMs);
    this.claims = new Claims(client, clock, retentionMs);
    this.provisioning = new Provisioning(client, clock, retentionMs);
    this.capacity = new Capacity(client, clock, retentionMs);
    this.lifecycle = new Lifecycle(client, clock, retentionMs);
    this.limits = new Limits(client, clock, retentionMs);
  }

  private static Duration requireTimeout(Duration timeout) {
    Args.requirePositive(timeout, "timeout");
    return timeout;
  }

  /** A standalone store with the default settings; {@link #close} releases its connections. */
  public static Store connect(String url, String prefix) {
    return connect(url, prefix, InstantSource.system());
  }

  /** A standalone store reading time from {@code clock} (tests). */
  public static Store connect(String url, String prefix, InstantSource clock) {
    return new Store(url, prefix, clock, DEFAULT_RETENTION, DEFAULT_TIMEOUT, POOL_SIZE);
  }

  /** The key prefix (also the {@code trynow.cluster} docker label). */
  public String prefix() {
    return prefix;
  }

  /**
   * Loads (or replaces) the function library now. Optional: the first call loads it, and a call
   * that finds it missing loads it again and retries once.
   */
  public void loadFunctions() {
    client.load();
  }

  /** One PING round trip (benchmarks, tools); blocks the caller. */
  public void ping() {
    client.command("PING");
  }

  /**
   * One PING without blocking any thread (the readiness check): completes normally when Valkey
   * answers PONG, exceptionally with the reason otherwise (refused, TLS, AUTH, timeout).
   */
  public java.util.concurrent.CompletionStage<Void> pingAsync() {
    return client.ping();
  }

  /** Where Valkey is, for messages: {@code redis[s]://host:port/db}, never credentials. */
  public String where() {
    return client.where();
  }

  // ---- operations, by concern -------------------------------------------------------------------

  /** A visitor's request: acquire, queue, cancel, expiry, the claim check. */
  public Requests requests() {
    return requests;
  }

  /** How many instances a template keeps: demand, target, reservations, surplus. */
  public PoolSizing sizing() {
    return sizing;
  }

  /** Claims with a lease and a fencing token (provisioning and teardown). */
  public Claims claims() {
    return claims;
  }

  /** Provisioning steps under a claim: port, started, ready, failed; the failure circuit. */
  public Provisioning provisioning() {
    return provisioning;
  }

  /** Ports and Docker hosts: the port range, placement, draining hosts. */
  public Capacity capacity() {
    return capacity;
  }

  /** How a demo ends: extend, release, recycle, terminate. */
  public Lifecycle lifecycle() {
    return lifecycle;
  }

  /** Per-client rate limits and event-stream slots. */
  public Limits limits() {
    return limits;
  }

  // ---- reads ------------------------------------------------------------------------------------

  /** The instance record (live or tombstone), if any. */
  public Optional<Instance> instance(String id) {
    Ids.requireInstance(id);
    Reply r = client.call("get_instance", now(), id);
    return "ok".equals(status(r)) ? Optional.of(Decode.instance(r.get(1))) : Optional.empty();
  }

  /** The request record, with its live queue position while queued. */
  public Optional<RequestRecord> request(String id) {
    Ids.requireRequest(id);
    return requestRecord(client.call("get_request", now(), id));
  }

  /** {@link #request} without blocking anybody (an event loop may call it). */
  public java.util.concurrent.CompletionStage<Optional<RequestRecord>> requestAsync(String id) {
    Ids.requireRequest(id);
    return client.callAsync("get_request", now(), id).thenApply(Store::requestRecord);
  }

  private static Optional<RequestRecord> requestRecord(Reply r) {
    return "ok".equals(status(r))
        ? Optional.of(Decode.request(r.get(1), lng(r, 2)))
        : Optional.empty();
  }

  /** Ids in a live state (terminated and failed ones are not indexed). */
  public List<String> ids(InstanceState state) {
    return Decode.strings(client.call("list_ids", now(), liveWire(state)).get(1));
  }

  /** Records in a live state, read in one call. */
  public List<Instance> instances(InstanceState state) {
    return Decode.instances(client.call("list_instances", now(), liveWire(state)).get(1));
  }

  /**
   * The earliest expiry of an assigned instance (the expiry index's first entry: one lookup, not a
   * scan of the fleet), or empty when none is assigned.
   */
  public Optional<java.time.Instant> oldestExpiry() {
    Reply r = client.call("oldest_expiry", now());
    String at = r.get(1).toString();
    return at.isEmpty()
        ? Optional.empty()
        : Optional.of(java.time.Instant.ofEpochMilli((long) Double.parseDouble(at)));
  }

  /** Ids whose claim lease ended before now (provisioning or terminating), oldest first. */
  public List<String> leaseExpired(int max) {
    return Decode.strings(
        client.call("lease_expired", now(), String.valueOf(Args.requireMax(max))).get(1));
  }

  /** Counts for one template, read atomically. */
  public PoolStats poolStats(String template) {
    Ids.requireTemplate(template);
    return Decode.stats(template, client.call("pool_stats", now(), template), 1);
  }

  /** Counts for every template the store has seen. */
  public List<PoolStats> poolStats() {
    List<PoolStats> out = new ArrayList<>();
    for (String t : templates()) {
      out.add(poolStats(t));
    }
    return out;
  }

  /** Templates the store has seen (acquire or reserve). */
  public List<String> templates() {
    return Decode.strings(client.call("list_templates", now()).get(1)).stream().sorted().toList();
  }

  /** Length of the template's ready list. */
  public long readyCount(String template) {
    return poolStats(template).ready();
  }

  @Override
  public void close() {
    client.close();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  FunctionClient client() {
    return client;
  }

  private String now() {
    return String.valueOf(clock.millis());
  }

  private static String liveWire(InstanceState state) {
    if (!state.isLive()) {
      throw new IllegalArgumentException(state + " is not indexed (tombstones only)");
    }
    return state.wire();
  }
}
