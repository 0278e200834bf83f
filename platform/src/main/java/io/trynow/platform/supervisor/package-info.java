/**
 * The {@link io.trynow.platform.supervisor.Supervisor}: every background loop runs under it.
 *
 * <pre>{@code
 * @Inject Supervisor supervisor;
 *
 * void onStart(@Observes StartupEvent ev) {
 *   supervisor.every("reaper", Duration.ofSeconds(5), reaper::reapOnce);   // periodic
 *   supervisor.run("watcher", new Loop() { ... });                         // continuous
 * }
 * }</pre>
 *
 * A failing iteration is logged with its stack, counted ({@code trynow_loop_failures_total{loop}})
 * and retried after an exponential backoff with jitter; liveness reads the heartbeats, readiness
 * the crash-loops; shutdown stops the loops before the NATS connection is drained. Config: {@link
 * io.trynow.platform.supervisor.SupervisorConfig} ({@code trynow.supervisor.*}).
 */
package io.trynow.platform.supervisor;
