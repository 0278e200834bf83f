package io.trynow.platform.state;

import io.trynow.model.InstanceState;
import java.time.Instant;

/**
 * An instance record as stored in Valkey (hash {@code {prefix}:i:<id>}). Optional fields are {@code
 * null} (times, strings) or {@code 0} (port) while unset. Terminated and failed records are
 * tombstones that expire after the store's retention.
 *
 * @param id instance id ({@link io.trynow.model.Ids#INSTANCE})
 * @param template template name
 * @param state current state
 * @param version bumped by every write to the record; {@code <id>:<version>} is a unique event id
 * @param port allocated host port, 0 before {@code allocatePort}
 * @param containerName container name, set by {@code markStarted}
 * @param url public URL, set by {@code markReady} when the caller passes one
 * @param ownerTokenHash hash of the visitor's access token, set at assignment
 * @param requestId the acquire request this instance was assigned to
 * @param clientIp the visitor's IP, set at assignment
 * @param createdAt when {@code reserveProvision} created the record
 * @param startedAt when the container started ({@code markStarted})
 * @param readyAt when the route was in place ({@code markReady})
 * @param assignedAt when a visitor got it
 * @param expiresAt when it will be reaped unless extended (assigned only)
 * @param maxExpiresAt the hard cap: no extension goes past it
 * @param endedAt when it became terminating, terminated or failed
 * @param lastError why it failed, else null
 * @param fence the fencing token of the current claim (0 before the first claim)
 * @param leaseUntil end of the current claim's lease, null when unclaimed
 * @param assignedVia {@code pool} (taken from the ready list) or {@code queue} (handed to a waiting
 *     request by {@code markReady}); null before assignment
 * @param host the Docker host it was placed on ({@link Capacity#place}); null before placement (and
 *     on records written before hosts existed: the default host)
 */
public record Instance(
    String id,
    String template,
    InstanceState state,
    long version,
    int port,
    String containerName,
    String url,
    String ownerTokenHash,
    String requestId,
    String clientIp,
    Instant createdAt,
    Instant startedAt,
    Instant readyAt,
    Instant assignedAt,
    Instant expiresAt,
    Instant maxExpiresAt,
    Instant endedAt,
    String lastError,
    long fence,
    Instant leaseUntil,
    String assignedVia,
    String host) {}
