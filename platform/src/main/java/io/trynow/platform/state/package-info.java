/**
 * The trynow state in Valkey: every state change is one call of one Lua function of the {@code
 * trynow_<version>} Function library, and {@link io.trynow.platform.state.Store} is the typed API
 * over it.
 *
 * <h2>Using it</h2>
 *
 * <ul>
 *   <li>In a Quarkus service: {@code @Inject Store store;} — on the service's one Valkey client,
 *       the Quarkus Redis client configured by {@code quarkus.redis.*} (see "Settings" below);
 *       store settings {@code trynow.valkey.*} ({@link io.trynow.platform.state.ValkeyConfig}).
 *   <li>Anywhere else (tests, benchmarks, the consistency checker): {@code Store.connect(url,
 *       prefix)}, closed with {@code close()}.
 *   <li>Calls block: run them on worker or virtual threads. Each returns a sealed result type;
 *       switch over it. Only infrastructure trouble throws ({@link
 *       io.trynow.platform.state.StoreException}), and bad arguments ({@link
 *       IllegalArgumentException}, checked in Java and again in Lua before any write).
 *   <li>Work that must run once per instance (provisioning, teardown) is claimed with a lease; the
 *       claim's fencing token goes with every later write, and a stale one gets {@link
 *       io.trynow.platform.state.StaleFence}.
 * </ul>
 *
 * <h2>The client: the Quarkus (Vert.x) Redis client, decided on measurement</h2>
 *
 * The store sends every command through the Vert.x Redis client that quarkus-redis-client
 * configures ({@code ValkeyClient}): non-blocking sends, the reply completes a future on the
 * client's event loop, and the calling virtual/worker thread parks on it (a call from an event loop
 * is refused). The readiness check ({@code ValkeyReadinessCheck}, named {@code valkey}) PINGs
 * through the same client without blocking, so a service runs one Valkey client, and what the check
 * reports is what the store sees. It replaced a hand-written blocking RESP2 socket pool, which had
 * no TLS, no Sentinel and no failover, and ran beside the Quarkus client that served only the
 * health check.
 *
 * <p>Measured with {@code ./trynow bench store} (the same {@code Store} code on both clients
 * against one redis-server 7.0.15 with AOF in one run, callers on virtual threads; 2 cores shared
 * with the other engineers' builds, load average 51–54 during this run, so the tails are the
 * machine's), ms:
 *
 * <pre>
 *                            1 client           32 clients
 *                          p50     p99        p50     p99
 * PING raw socket (floor)  0.018   0.300      0.291  10.084
 * PING      Vert.x         0.036   2.033      0.457   5.018
 *           (async chains) 0.012   3.492      0.349   0.609
 *           socket pool    0.008   0.540      0.222   0.717
 * acquire   Vert.x         0.121   3.140      2.677  57.573
 *           socket pool    0.093   8.237      2.537  14.705
 * extend    Vert.x         0.079   0.205      1.250  19.005
 *           socket pool    0.059   2.875      1.776  67.502
 * </pre>
 *
 * Two more runs of the same command (load 31–47) gave acquire p50 at 1 client Vert.x 0.124 / 0.179
 * vs socket 0.096 / 0.356 ms, and at 32 clients 2.66 / 2.71 vs 2.61 / 1.89 ms; the p99s moved by
 * 10x between runs in both directions. What holds in every run: one caller pays ~0.02–0.03 ms more
 * per call for the hand-off to the event loop and back; at 32 callers the medians are the same
 * within the noise (in this run the library used fully asynchronously — chains of send → callback,
 * no thread waiting — was at the floor). 0.03 ms is small next to the gateway's own HTTP and NATS
 * hops, and TLS, ACL users, Sentinel with failover and one client per service are what production
 * needs — so the store uses the library, and the socket pool lives on only in the benchmark module
 * as the baseline ({@code bench/.../platform/state/ValkeyPool.java}).
 *
 * <p>That figure is the busy machine's. When traffic is sparse each thread wake-up finds an idle
 * CPU, and the hand-off to the event loop and back is most of a call: {@code ./trynow bench store
 * idle 60 400} (load ~3.7) gave p50 3.80 ms through the Vert.x client against 1.02–1.17 ms for the
 * caller writing and reading a socket itself. So blocking callers use the blocking lane ({@code
 * BlockingConnections}: plain connections, standalone Valkey without TLS, {@code
 * trynow.valkey.blocking-lane}) and the Vert.x client stays for TLS, Sentinel, non-blocking callers
 * and the readiness check (issue #15).
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>Address: {@code quarkus.redis.hosts} ({@code TRYNOW_VALKEY_URL}), {@code redis://host:port}
 *       or {@code rediss://host:port} (TLS).
 *   <li>TLS files: the named Quarkus TLS configuration {@code valkey}: {@code
 *       quarkus.redis.tls-configuration-name=valkey}, {@code
 *       quarkus.tls.valkey.trust-store.pem.certs=ca.crt}, for mutual TLS {@code
 *       quarkus.tls.valkey.key-store.pem.client.cert}/{@code .key}.
 *   <li>Password: {@code quarkus.redis.password} ({@code QUARKUS_REDIS_PASSWORD}); ACL user: {@code
 *       trynow.valkey.user} ({@code TRYNOW_VALKEY_USER}, logs in with that password).
 *   <li>Sentinel: {@code quarkus.redis.client-type=sentinel}, {@code quarkus.redis.hosts} = the
 *       sentinels' addresses (comma-separated), {@code quarkus.redis.master-name}; failover is
 *       followed ({@code quarkus.redis.auto-failover=true} by default here). Sentinels must accept
 *       the same user and password as the nodes (the client uses one set of credentials). Set
 *       {@code trynow.valkey.wait-replicas=1} and run two replicas: every state change then waits
 *       for a replica ({@code WAIT}), so a failover never loses a change a caller was told about
 *       ({@code SentinelFailoverIT}); reads ({@code no-writes} functions) never wait ({@code
 *       ReplicaWaitIT}).
 *   <li>Pool: {@code quarkus.redis.max-pool-size} (64 here), {@code max-pool-waiting} (1024). With
 *       a standalone Valkey, a caller on an event loop uses that loop's own connection instead
 *       ({@code LoopConnections}).
 * </ul>
 *
 * <h2>Library</h2>
 *
 * One {@code .lua} file per function next to this package's classes (header: keys, args, returns,
 * errors), assembled after {@code lib.lua} by {@code Library} and loaded with {@code FUNCTION LOAD
 * REPLACE} on first use; a call that finds its function missing (FUNCTION FLUSH, restart without
 * persistence, failover to a node without it) loads it again and retries once. A replica gets the
 * library by replication: after a Sentinel failover the promoted node has it (checked by {@code
 * SentinelFailoverIT}). The library and function names carry a hash of the source, so services
 * built from different commits can share one Valkey.
 *
 * <p>All keys live under one hash tag, {@code {<prefix>}:} (see the key list in {@code lib.lua}),
 * so every function is legal on Valkey Cluster. Time is passed in by the caller (epoch ms).
 */
package io.trynow.platform.state;
