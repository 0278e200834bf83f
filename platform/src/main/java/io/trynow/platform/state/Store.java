package io.trynow.platform.state;

import static io.trynow.platform.state.Decode.flag;
import static io.trynow.platform.state.Decode.lng;
import static io.trynow.platform.state.Decode.status;
import static io.trynow.platform.state.Decode.str;
import static io.trynow.platform.state.Decode.time;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The trynow state in Valkey. Every state change is one call of one Lua function of the trynow
 * Function library (compare-and-set on the from-state, version bump, every index in step,
 * validation before any write); this class only marshals arguments and decodes replies. Expected
 * outcomes (wrong state, not found, limits, stale fence, bad token) are result types; a {@link
 * StoreException} means Valkey could not answer, an {@link IllegalArgumentException} a bad
 * argument.
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
    this.retentionMs = ms(retention);
    this.client = new FunctionClient(commands, Library.fromResources(), "{" + prefix + "}:");
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

  // ---- ports ------------------------------------------------------------------------------------

  /**
   * Makes the free-port set match {@code first..last}: adds every port of the range that is neither
   * free nor used, drops free ports outside it (used ones outside it are not put back when freed).
   * Idempotent; the provisioner calls it at startup.
   */
  public PortPool initPorts(int first, int last) {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("trynow.ports.first..last must be within 1..65535");
    }
    Reply r = client.call("init_ports", now(), String.valueOf(first), String.valueOf(last));
    return new PortPool(first, last, lng(r, 1), lng(r, 2));
  }

  /**
   * The port range and its use.
   *
   * @param first first port of the range
   * @param last last port of the range
   * @param free ports free
   * @param used ports held by instances
   */
  public record PortPool(int first, int last, long free, long used) {}

  // ---- pool-service -----------------------------------------------------------------------------

  /**
   * Takes the oldest ready instance of the template and assigns it to the request (expiry and max
   * lifetime set in the same call), or queues the request when none is ready. Idempotent per
   * request id.
   */
  public AcquireResult acquire(AcquireArgs a) {
    Reply r =
        client.call(
            "acquire",
            now(),
            a.requestId(),
            a.template(),
            a.ownerTokenHash(),
            a.clientIp(),
            ms(a.ttl()),
            ms(a.maxLifetime()),
            String.valueOf(a.maxQueue()),
            String.valueOf(a.maxLivePerIp()),
            retentionMs,
            a.fieldsJson() == null ? "" : a.fieldsJson(),
            a.checksClaims() ? "1" : "0");
    return switch (status(r)) {
      case "assigned" ->
          new AcquireResult.Assigned(Decode.instance(r.get(2)), a.requestId(), flag(r, 1));
      case "queued" -> new AcquireResult.Queued(a.requestId(), lng(r, 2), flag(r, 1));
      case "queue_full" -> new AcquireResult.QueueFull(a.requestId(), a.maxQueue());
      case "limit" -> new AcquireResult.LimitExceeded(a.requestId(), lng(r, 1), a.maxLivePerIp());
      case "closed" -> new AcquireResult.Closed(Decode.request(r.get(1), 0));
      case "unavailable" ->
          new AcquireResult.Unavailable(
              a.requestId(), Duration.ofMillis(lng(r, 1)), emptyToNull(str(r, 2)));
      default -> throw Decode.unexpected("acquire", r);
    };
  }

  /**
   * Creates {@code requested} records (with the given ids, in order) while ready + in-flight is
   * below min-ready + waiting requests, live total below max-total and in-flight below
   * max-in-flight — all counted inside the one call, so concurrent callers never over-provision.
   */
  public ReserveResult reserveProvision(ReserveArgs a) {
    List<String> args = new ArrayList<>();
    args.add(now());
    args.add(a.template());
    args.add(String.valueOf(a.minReady()));
    args.add(String.valueOf(a.maxTotal()));
    args.add(String.valueOf(a.maxInFlight()));
    args.addAll(a.ids());
    Reply r = client.call("reserve_provision", args.toArray(String[]::new));
    return new ReserveResult(Decode.strings(r.get(1)), Decode.stats(a.template(), r, 2));
  }

  /**
   * Drops up to {@code max} requests of the template that have waited longer than {@code olderThan}
   * (state {@code expired}) and returns them, so the caller can tell the visitors and refund their
   * rate-limit slots.
   */
  public List<RequestRecord> expireWaiting(String template, Duration olderThan, int max) {
    Ids.requireTemplate(template);
    Args.requirePositive(olderThan, "olderThan");
    Reply r =
        client.call(
            "expire_waiting",
            now(),
            template,
            ms(olderThan),
            String.valueOf(requireMax(max)),
            retentionMs);
    List<RequestRecord> out = new ArrayList<>();
    for (Reply flat : r.get(1)) {
      out.add(Decode.request(flat, 0));
    }
    return out;
  }

  // ---- pool service target (observe_demand, set_pool_target, retire_surplus)
  // ----------------------------------------------

  /**
   * Folds the template's arrivals counted since the last call into its EWMA (time constant {@code
   * window}) and returns the estimate with the stored target. Serialized in Valkey: the same
   * whichever replica calls, however often.
   */
  public PoolDemand observeDemand(String template, Duration window) {
    Ids.requireTemplate(template);
    Args.requirePositive(window, "window");
    return demand(template, client.call("observe_demand", now(), template, ms(window)));
  }

  /** The template's estimate and target as stored (read only). */
  public PoolDemand poolDemand(String template) {
    Ids.requireTemplate(template);
    return demand(template, client.call("pool_slo", now(), template));
  }

  /**
   * Stores the template's ready target if nothing changed the estimate since {@code seen.version()}
   * (compare-and-set); {@code reserveProvision} keeps at least that many ready. Returns false when
   * another caller got there first with a newer estimate.
   */
  public boolean setPoolTarget(PoolDemand seen, int target, long refillMs, boolean moved) {
    Args.requireNotNegative(target, "target");
    Reply r =
        client.call(
            "set_pool_target",
            now(),
            seen.template(),
            String.valueOf(seen.version()),
            String.valueOf(target),
            String.valueOf(Math.max(0, refillMs)),
            moved ? "1" : "0");
    return "ok".equals(status(r));
  }

  /**
   * Retires up to {@code max} ready instances beyond {@code keep} ({@code ready → terminating},
   * unclaimed: publish their cleanup requests), unless one was retired less than {@code minGap} ago
   * or a visitor waits. Returns them.
   */
  public List<Instance> retireSurplus(
      String template, int keep, int max, Duration minGap, String reason) {
    Ids.requireTemplate(template);
    Args.requireNotNegative(keep, "keep");
    Reply r =
        client.call(
            "retire_surplus",
            now(),
            template,
            String.valueOf(keep),
            String.valueOf(requireMax(max)),
            ms(minGap),
            errorText(reason));
    return Decode.instances(r.get(1));
  }

  private static PoolDemand demand(String template, Reply r) {
    return PoolDemand.of(template, Decode.fields(r.get(1)), Decode.strings(r.get(2)));
  }

  /**
   * The queued requests of {@code template} (among the first {@code max}) whose position fell since
   * they were last told, each handed to exactly one caller (any replica): publish their position.
   */
  public List<QueueMove> queueMoves(String template, int max) {
    Ids.requireTemplate(template);
    List<String> flat =
        Decode.strings(
            client.call("queue_moves", now(), template, String.valueOf(requireMax(max))).get(1));
    List<QueueMove> out = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.add(new QueueMove(flat.get(i), Long.parseLong(flat.get(i + 1))));
    }
    return out;
  }

  /** How many instances of {@code template} reached {@code started} within {@code window}. */
  public ProvisionRate provisionRate(String template, Duration window) {
    Ids.requireTemplate(template);
    Args.requirePositive(window, "window");
    Reply r = client.call("provision_rate", now(), template, ms(window));
    return new ProvisionRate(lng(r, 1), lng(r, 2));
  }

  /**
   * The owner of a queued request leaves the queue ({@code queued → expired}, reason {@code
   * cancelled}); the requests behind it move up. A request that already holds a demo is not changed
   * ({@link CancelResult.HoldsDemo}): its owner releases the demo instead.
   */
  public CancelResult cancelRequest(String requestId, String ownerTokenHash) {
    Ids.requireRequest(requestId);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Reply r = client.call("cancel_request", now(), requestId, ownerTokenHash, retentionMs);
    return switch (status(r)) {
      case "ok" -> new CancelResult.Cancelled(Decode.request(r.get(2), 0), flag(r, 1));
      case "assigned" -> new CancelResult.HoldsDemo(requestId, str(r, 1));
      case "not_found" -> new NotFound(requestId);
      case "bad_token" -> new BadToken(requestId);
      default -> throw Decode.unexpected("cancel_request", r);
    };
  }

  /** TEMPORARY until the Store split lands: moves to Requests. */
  public Store requests() {
    return this;
  }

  /**
   * Closes a request whose acquire was answered "not started" ({@code abandon_request}): when no
   * record exists, a closed one ({@code state}, {@code reason}) is written, and a later delivery of
   * its acquire is refused; when one exists, nothing is written and it is returned.
   */
  public AbandonResult abandon(
      String requestId,
      String template,
      String ownerTokenHash,
      String clientIp,
      RequestState state,
      String reason) {
    Ids.requireRequest(requestId);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Args.requireIp(clientIp);
    if (state != RequestState.FAILED && state != RequestState.EXPIRED) {
      throw new IllegalArgumentException("an abandoned request is failed or expired");
    }
    Reply r =
        client.call(
            "abandon_request",
            now(),
            requestId,
            template,
            ownerTokenHash,
            clientIp,
            state.wire(),
            reason,
            retentionMs);
    RequestRecord rec = Decode.request(r.get(1), 0);
    return switch (status(r)) {
      case "abandoned" -> new AbandonResult.Abandoned(rec);
      case "exists" -> new AbandonResult.Exists(rec);
      default -> throw Decode.unexpected("abandon_request", r);
    };
  }

  // ---- Docker hosts -----------------------------------------------------------------------------

  /**
   * Places a provisioning instance (claim {@code fence}) on the candidate with the most free
   * capacity that is not drained, in one call: two provisioners never overfill a host. A repeat
   * returns the host chosen before.
   */
  public PlaceResult place(String id, long fence, List<HostSlot> candidates) {
    Ids.requireInstance(id);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate host");
    }
    List<String> args = new ArrayList<>(List.of(now(), id, String.valueOf(fence)));
    for (HostSlot c : candidates) {
      args.add(c.host());
      args.add(String.valueOf(c.capacity()));
    }
    Reply r = client.call("place_instance", args.toArray(String[]::new));
    return switch (status(r)) {
      case "ok" -> new PlaceResult.Placed(id, str(r, 2), flag(r, 1));
      case "full" -> new PlaceResult.Full(id);
      case "host_down" -> new PlaceResult.HostDown(id, str(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw Decode.unexpected("place_instance", r);
    };
  }

  /**
   * Drains {@code host}: placement skips it from now on, and every live instance on it is failed
   * (terminating ones terminated) with {@code reason}. Idempotent; the instances come back once.
   */
  public HostDrain hostDown(String host, String reason) {
    Ids.requireHost(host);
    Reply r = client.call("host_down", now(), host, errorText(reason), retentionMs);
    return new HostDrain(host, flag(r, 1), Decode.instances(r.get(2)));
  }

  /** Re-admits a drained host; true when it was drained. */
  public boolean hostUp(String host) {
    Ids.requireHost(host);
    return flag(client.call("host_up", now(), host), 1);
  }

  /** Drained hosts and since when. */
  public java.util.Map<String, Instant> hostsDown() {
    List<String> flat = Decode.strings(client.call("hosts_down", now()).get(1));
    java.util.Map<String, Instant> out = new java.util.TreeMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(flat.get(i), Instant.ofEpochMilli(Long.parseLong(flat.get(i + 1))));
    }
    return out;
  }

  // ---- provisioner ------------------------------------------------------------------------------

  /**
   * Claims a {@code requested} instance for provisioning ({@code → provisioning}), or re-claims a
   * {@code provisioning} one whose lease has expired. Each claim bumps the fencing token; pass it
   * to every later write.
   */
  public ClaimResult claimProvision(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return claim(
        client.call("claim_provision", now(), id, ms(lease), retentionMs), id, "claim_provision");
  }

  /**
   * Extends the lease of the caller's claim (provisioning or terminating) to now + {@code lease}.
   */
  public FencedResult renewLease(String id, long fence, Duration lease) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    Args.requirePositive(lease, "lease");
    return fenced(
        client.call("renew_lease", now(), id, String.valueOf(fence), ms(lease)), id, "renew_lease");
  }

  /** Gives the instance a port from the free set (idempotent: a second call returns the same). */
  public PortResult allocatePort(String id, long fence) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    Reply r = client.call("allocate_port", now(), id, String.valueOf(fence));
    return switch (status(r)) {
      case "port" -> new PortResult.Allocated(id, (int) lng(r, 1), flag(r, 2));
      case "no_port" -> new PortResult.NoFreePort(id);
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw Decode.unexpected("allocate_port", r);
    };
  }

  /**
   * {@code provisioning → started}: the container runs and answers its health path. Needs a port
   * ({@link #allocatePort}) first.
   */
  public FencedResult markStarted(String id, long fence, String containerName) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    if (containerName == null || !containerName.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw new IllegalArgumentException("containerName must be a docker container name");
    }
    return fenced(
        client.call("mark_started", now(), id, String.valueOf(fence), containerName),
        id,
        "mark_started");
  }

  /**
   * Fails an instance from any live state before {@code terminating}, by the worker holding its
   * claim: frees its port, removes it from every index, records {@code error}. When it was
   * assigned, its request becomes {@code failed}; the returned record names the request and owner
   * so the visitor can be told.
   */
  public FencedResult markFailed(String id, long fence, String error) {
    Args.requireFence(fence);
    return failed(id, fence, error);
  }

  /**
   * {@link #markFailed(String, long, String)}, counting the failure against the template's {@link
   * Circuit} in the same call: a provision failure that says something about the template (its
   * image, its health), not about the machine.
   */
  public FencedResult markFailed(String id, long fence, String error, CircuitPolicy policy) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    return fenced(
        client.call(
            "mark_failed",
            now(),
            id,
            String.valueOf(fence),
            errorText(error),
            retentionMs,
            String.valueOf(policy.failureThreshold()),
            ms(policy.baseDelay()),
            ms(policy.maxDelay()),
            String.valueOf(java.util.concurrent.ThreadLocalRandom.current().nextInt(1000))),
        id,
        "mark_failed");
  }

  /** {@link #markFailed(String, long, String)} without a claim (proxy-sync, reconcilers, admin). */
  public FencedResult markFailed(String id, String error) {
    return failed(id, 0, error);
  }

  private FencedResult failed(String id, long fence, String error) {
    Ids.requireInstance(id);
    return fenced(
        client.call("mark_failed", now(), id, String.valueOf(fence), errorText(error), retentionMs),
        id,
        "mark_failed");
  }

  // ---- failure circuit -------------------------------------------------------------------------

  /**
   * Reports the image check of a template (the provisioner's, at startup and on a timer). Missing:
   * the circuit opens at once until now + {@code hold} (renewed by every check that still finds it
   * missing). Present: a circuit that a missing image opened closes, so the pool refills.
   *
   * @return true when the circuit changed state
   */
  public boolean imageChecked(String template, boolean present, String error, Duration hold) {
    Ids.requireTemplate(template);
    Args.requirePositive(hold, "hold");
    Reply r =
        client.call(
            "circuit_image", now(), template, present ? "1" : "0", errorText(error), ms(hold));
    return flag(r, 1);
  }

  /**
   * While the template's circuit is not closed: ends up to {@code max} queued requests (state
   * {@link RequestState#UNAVAILABLE}) and returns them, so the caller can tell the visitors and
   * refund their rate-limit slots. Nothing while it is closed.
   */
  public List<RequestRecord> dropUnavailable(String template, int max) {
    Ids.requireTemplate(template);
    Reply r =
        client.call(
            "drop_unavailable", now(), template, String.valueOf(requireMax(max)), retentionMs);
    List<RequestRecord> out = new ArrayList<>();
    for (Reply flat : r.get(1)) {
      out.add(Decode.request(flat, 0));
    }
    return out;
  }

  /** The template's failure circuit (closed when it never failed). */
  public Circuit circuit(String template) {
    Ids.requireTemplate(template);
    return Decode.circuit(template, client.call("get_circuit", now(), template).get(1));
  }

  // ---- proxy-sync -------------------------------------------------------------------------------

  /**
   * {@code started → ready} once its route is in place: hands the instance to the oldest waiting
   * request of its template (→ assigned, expiry set), or pushes it to the ready list.
   *
   * @param url the public URL to store, or null
   */
  public ReadyResult markReady(String id, String url) {
    return markReady(id, url, true);
  }

  /**
   * {@link #markReady(String, String)}; with {@code handOver} false the instance is pooled even
   * when visitors wait (its template's claims are checked by pool-service, which hands it over with
   * {@link #serveQueue}).
   */
  public ReadyResult markReady(String id, String url, boolean handOver) {
    Ids.requireInstance(id);
    if (url != null && (url.length() > 512 || url.isBlank())) {
      throw new IllegalArgumentException("url must be 1..512 characters");
    }
    Reply r =
        client.call(
            "mark_ready", now(), id, url == null ? "" : url, retentionMs, handOver ? "1" : "0");
    return switch (status(r)) {
      case "pooled" -> new ReadyResult.Pooled(Decode.instance(r.get(2)), flag(r, 1));
      case "handed" -> new ReadyResult.HandedOver(Decode.instance(r.get(3)), str(r, 1), flag(r, 2));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("mark_ready", r);
    };
  }

  // ---- gateway ----------------------------------------------------------------------------------

  /**
   * Extends an assigned instance by {@code by} (from its current expiry), capped at its max
   * lifetime; checked against the owner's token hash in the same call.
   */
  public ExtendResult extend(String id, String ownerTokenHash, Duration by) {
    Ids.requireInstance(id);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Args.requirePositive(by, "by");
    Reply r = client.call("extend", now(), id, ownerTokenHash, ms(by));
    return switch (status(r)) {
      case "extended" -> new ExtendResult.Extended(Decode.instance(r.get(2)), flag(r, 1));
      case "past_max" -> new ExtendResult.PastMaxLifetime(id, time(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "bad_token" -> new BadToken(id);
      default -> throw Decode.unexpected("extend", r);
    };
  }

  /**
   * {@code assigned → terminating} by its owner (unclaimed: the cleanup worker claims it with
   * {@link #claimTerminate}). A repeat by the owner returns {@code Changed(repeat = true)}.
   */
  public ReleaseResult release(String id, String ownerTokenHash) {
    Ids.requireInstance(id);
    Args.requireToken(ownerTokenHash, "ownerTokenHash");
    Reply r = client.call("release", now(), id, ownerTokenHash);
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "bad_token" -> new BadToken(id);
      default -> throw Decode.unexpected("release", r);
    };
  }

  /**
   * Counts one call of {@code clientIp} in its hour and day windows if both are below their limits,
   * in one atomic check-and-increment. With a request id, a repeat of the same id is not counted
   * again.
   *
   * @param requestId the request being admitted, or null
   */
  public RateLimitResult rateLimit(String clientIp, String requestId, int perHour, int perDay) {
    Args.requireIp(clientIp);
    if (requestId != null) {
      Ids.requireRequest(requestId);
    }
    Args.requireNotNegative(perHour, "perHour");
    Args.requireNotNegative(perDay, "perDay");
    Reply r =
        client.call(
            "rate_limit",
            now(),
            clientIp,
            requestId == null ? "" : requestId,
            String.valueOf(perHour),
            String.valueOf(perDay));
    return switch (status(r)) {
      case "allowed" ->
          new RateLimitResult.Allowed(lng(r, 1), lng(r, 2), time(r, 3), time(r, 4), flag(r, 5));
      case "limited" ->
          new RateLimitResult.Limited(
              RateLimitResult.Window.valueOf(str(r, 1).toUpperCase(java.util.Locale.ROOT)),
              lng(r, 2),
              time(r, 3),
              lng(r, 4),
              lng(r, 5),
              time(r, 6),
              time(r, 7));
      default -> throw Decode.unexpected("rate_limit", r);
    };
  }

  /**
   * Gives back the slot counted for {@code requestId} at {@code countedAt} (in the windows of that
   * time). Idempotent per request id: returns false when it was already refunded.
   */
  public boolean rateLimitRefund(String clientIp, String requestId, Instant countedAt) {
    Args.requireIp(clientIp);
    Ids.requireRequest(requestId);
    Reply r =
        client.call(
            "rate_limit_refund",
            now(),
            clientIp,
            requestId,
            String.valueOf(countedAt.toEpochMilli()));
    return flag(r, 1);
  }

  // ---- event streams (api-gateway) --------------------------------------------------------------

  /**
   * Takes a slot for one event stream of {@code clientIp}, counted with every gateway replica's: at
   * most {@code perIp} open streams per client IP and {@code total} in all. The slot is a lease
   * that lapses {@code lease} from now unless renewed ({@link #sseRenew}); leases of a replica that
   * died lapse with it.
   */
  public StreamLease sseOpen(String clientIp, Duration lease, int perIp, int total) {
    Args.requireIp(clientIp);
    Args.requirePositive(lease, "lease");
    Args.requireNotNegative(perIp, "perIp");
    Args.requireNotNegative(total, "total");
    // a stream lease id: "s" and the 19 random base32 characters of a fresh instance id
    String id = "s" + Ids.newInstanceId().substring(1);
    Reply r =
        client.call(
            "sse_open",
            now(),
            id,
            clientIp,
            ms(lease),
            String.valueOf(perIp),
            String.valueOf(total));
    return switch (status(r)) {
      case "ok" -> new StreamLease.Held(id, clientIp, lng(r, 1), lng(r, 2));
      case "full" ->
          new StreamLease.Refused(
              "ip".equals(str(r, 1)) ? StreamLease.Cap.IP : StreamLease.Cap.TOTAL, lng(r, 2));
      default -> throw Decode.unexpected("sse_open", r);
    };
  }

  /**
   * Renews the leases of the event streams still open here (lease id → client IP) until {@code
   * lease} from now, in one call; returns how many.
   */
  public int sseRenew(Duration lease, java.util.Map<String, String> leases) {
    Args.requirePositive(lease, "lease");
    if (leases.isEmpty()) {
      return 0;
    }
    List<String> args = new ArrayList<>(2 + leases.size() * 2);
    args.add(now());
    args.add(ms(lease));
    leases.forEach((id, ip) -> {
      args.add(id);
      args.add(Args.requireIp(ip));
    });
    return (int) lng(client.call("sse_renew", args.toArray(String[]::new)), 1);
  }

  /** Gives an event stream's slot back; false when it was not held (lapsed, or closed already). */
  public boolean sseClose(StreamLease.Held held) {
    return flag(client.call("sse_close", now(), held.id(), held.clientIp()), 1);
  }

  // ---- cleanup ----------------------------------------------------------------------------------

  /**
   * Moves up to {@code max} assigned instances whose expiry has passed to {@code terminating}, each
   * claimed with a lease; returns them (with their fencing tokens) for teardown.
   */
  public List<Instance> claimExpired(int max, Duration lease) {
    Args.requirePositive(lease, "lease");
    Reply r = client.call("claim_expired", now(), String.valueOf(requireMax(max)), ms(lease));
    return Decode.instances(r.get(1));
  }

  /**
   * Claims a {@code terminating} instance for teardown (released or force-terminated ones are
   * unclaimed; an expired lease may be taken over).
   */
  public ClaimResult claimTerminate(String id, Duration lease) {
    Ids.requireInstance(id);
    Args.requirePositive(lease, "lease");
    return claim(client.call("claim_terminate", now(), id, ms(lease)), id, "claim_terminate");
  }

  /**
   * {@code terminating → terminated} after teardown: frees the port, removes the id from every
   * index and keeps the record as a tombstone for the retention period. A repeat is {@code
   * Changed(repeat = true)}.
   */
  public FencedResult markTerminated(String id, long fence) {
    Ids.requireInstance(id);
    Args.requireFence(fence);
    return fenced(
        client.call("mark_terminated", now(), id, String.valueOf(fence), retentionMs),
        id,
        "mark_terminated");
  }

  /**
   * Repair (the orphan sweeper's): frees up to {@code max} ports recorded as used by an instance
   * that has no record, is not live, or holds another port. Returns the freed ports with the id
   * that held each. Every other function keeps ports consistent by itself; this repairs damage from
   * outside (manual edits, restores).
   */
  public java.util.Map<Integer, String> reclaimPorts(int max) {
    List<String> flat =
        Decode.strings(client.call("reclaim_ports", now(), String.valueOf(requireMax(max))).get(1));
    java.util.Map<Integer, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.put(Integer.parseInt(flat.get(i)), flat.get(i + 1));
    }
    return out;
  }

  /**
   * {@code ready → terminating} if it is still ready (compare-and-set): an idle instance whose
   * probe failed, or that idled too long, leaves the ready list and is never handed out; the
   * cleanup worker tears it down ({@link #claimTerminate}). {@code WrongState} when it was handed
   * out (or ended) since it was probed.
   */
  public AdminResult recycleReady(String id, String reason) {
    Ids.requireInstance(id);
    Reply r = client.call("recycle_ready", now(), id, errorText(reason));
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("recycle_ready", r);
    };
  }

  /**
   * The instance just assigned to {@code requestId} failed its claim check (the probe right before
   * the claim, or the on-claim hook): {@code assigned → terminating} (owner cleared; the cleanup
   * worker tears it down), and in the same call the request gets the next ready instance, else it
   * waits first in its template's queue. The visitor never sees the failed instance.
   */
  public Discarded discardClaim(String requestId, String instanceId, String reason) {
    Ids.requireRequest(requestId);
    Ids.requireInstance(instanceId);
    Reply r = client.call("discard_claim", now(), requestId, instanceId, errorText(reason));
    return switch (status(r)) {
      case "assigned" -> new Discarded(Discarded.Outcome.REASSIGNED, Decode.instance(r.get(1)));
      case "queued" -> new Discarded(Discarded.Outcome.QUEUED, null);
      case "wrong_state", "not_found" -> new Discarded(Discarded.Outcome.STALE, null);
      default -> throw Decode.unexpected("discard_claim", r);
    };
  }

  /**
   * The claim check of {@code instanceId} for {@code requestId} passed: the request is no longer
   * {@code checking}, so the visitor may now be shown the instance. False when the claim changed
   * meanwhile (nothing written).
   */
  public boolean claimChecked(String requestId, String instanceId) {
    Ids.requireRequest(requestId);
    Ids.requireInstance(instanceId);
    return "ok".equals(status(client.call("claim_checked", now(), requestId, instanceId)));
  }

  /** An instance handed to a queued request by {@link #serveQueue}. */
  public record Served(String requestId, String fieldsJson, Instance instance) {}

  /**
   * Hands the oldest ready instance of {@code template} to its oldest queued request (for templates
   * whose claims pool-service checks before the visitor is told); empty when nobody waits or
   * nothing is ready.
   */
  public Optional<Served> serveQueue(String template) {
    Ids.requireTemplate(template);
    Reply r = client.call("serve_queue", now(), template, retentionMs);
    return switch (status(r)) {
      case "handed" ->
          Optional.of(new Served(str(r, 1), emptyToNull(str(r, 2)), Decode.instance(r.get(3))));
      case "none" -> Optional.empty();
      default -> throw Decode.unexpected("serve_queue", r);
    };
  }

  /**
   * Claims discarded by a failed claim check (probe or hook) of a template, and the last reason.
   */
  public record ClaimFailures(long discarded, String lastError, Instant lastAt) {}

  /** The claim failures of {@code template} ({@code cf:<tpl>}, written by discard_claim). */
  public ClaimFailures claimFailures(String template) {
    Ids.requireTemplate(template);
    Map<String, String> f =
        Decode.fields(client.call("get_claim_failures", now(), template).get(1));
    String at = f.get("last_at");
    return new ClaimFailures(
        Long.parseLong(f.getOrDefault("discarded", "0")),
        f.get("last_error"),
        at == null ? null : Instant.ofEpochMilli(Long.parseLong(at)));
  }

  /**
   * Admin: ends an instance now. {@code ready}/{@code assigned} → {@code terminating} (unclaimed,
   * the cleanup worker tears it down); before ready → {@code failed} (port freed; a worker still
   * provisioning it finds its claim gone).
   */
  public AdminResult forceTerminate(String id, String reason) {
    Ids.requireInstance(id);
    Reply r = client.call("force_terminate", now(), id, errorText(reason), retentionMs);
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected("force_terminate", r);
    };
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
    Reply r = client.call("get_request", now(), id);
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

  /** Ids whose claim lease ended before now (provisioning or terminating), oldest first. */
  public List<String> leaseExpired(int max) {
    return Decode.strings(
        client.call("lease_expired", now(), String.valueOf(requireMax(max))).get(1));
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

  private static String ms(Duration d) {
    return String.valueOf(d.toMillis());
  }

  private static int requireMax(int max) {
    if (max < 1 || max > 1000) {
      throw new IllegalArgumentException("max must be 1..1000");
    }
    return max;
  }

  private static String liveWire(InstanceState state) {
    if (!state.isLive()) {
      throw new IllegalArgumentException(state + " is not indexed (tombstones only)");
    }
    return state.wire();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String errorText(String s) {
    String t = s == null || s.isBlank() ? "unknown" : s.strip();
    return t.length() > 500 ? t.substring(0, 500) : t;
  }

  private static ClaimResult claim(Reply r, String id, String fn) {
    return switch (status(r)) {
      case "claimed" -> new ClaimResult.Claimed(Decode.instance(r.get(1)));
      case "busy" -> new ClaimResult.Busy(id, time(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw Decode.unexpected(fn, r);
    };
  }

  private static FencedResult fenced(Reply r, String id, String fn) {
    return switch (status(r)) {
      case "ok" -> new Changed(Decode.instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw Decode.unexpected(fn, r);
    };
  }
}
