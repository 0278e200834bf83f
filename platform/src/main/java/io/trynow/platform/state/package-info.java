/**
 * The trynow state in Valkey: every state change is one call of one Lua function of the {@code
 * trynow_<version>} Function library, and {@link io.trynow.platform.state.Store} is the typed API
 * over it.
 *
 * <h2>Using it</h2>
 *
 * <ul>
 *   <li>In a Quarkus service: {@code @Inject Store store;} — Valkey at {@code quarkus.redis.hosts},
 *       settings {@code trynow.valkey.prefix} (default {@code trynow}), {@code
 *       trynow.valkey.retention}, {@code trynow.valkey.timeout}, {@code trynow.valkey.pool-size}
 *       ({@link io.trynow.platform.state.ValkeyConfig}).
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
 * <h2>Why its own client</h2>
 *
 * The store talks RESP2 over plain blocking sockets ({@code ValkeyPool}, 64 connections) rather
 * than through the Vert.x Redis client that quarkus-redis-client brings. Used blocking, the Vert.x
 * client hands every call to an event loop and back: measured here in one run (StoreBench, 1
 * client) a PING cost p50 0.054 / p99 3.1 ms through it against 0.009 / 0.021 ms on a raw socket,
 * and 27k vs 89k PINGs/s at 32 clients. On a blocking socket the caller's thread does the round
 * trip itself, so one FCALL costs one loopback round trip plus the function's run time. The
 * protocol subset needed (commands out, five reply types in) is small and fully exercised by the
 * store's tests; the Quarkus Redis client still serves the Redis health check.
 *
 * <h2>Library</h2>
 *
 * One {@code .lua} file per function next to this package's classes (header: keys, args, returns,
 * errors), assembled after {@code lib.lua} by {@code Library} and loaded with {@code FUNCTION LOAD
 * REPLACE} on first use; a call that finds its function missing (FUNCTION FLUSH, restart without
 * persistence, failover) loads it again and retries once. The library and function names carry a
 * hash of the source, so services built from different commits can share one Valkey.
 *
 * <p>All keys live under one hash tag, {@code {<prefix>}:} (see the key list in {@code lib.lua}),
 * so every function is legal on Valkey Cluster. Time is passed in by the caller (epoch ms).
 */
package io.trynow.platform.state;
