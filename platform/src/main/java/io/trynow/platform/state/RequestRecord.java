package io.trynow.platform.state;

import java.time.Instant;

/**
 * An acquire request as stored in Valkey (hash {@code {prefix}:r:<id>}, expires after the store's
 * retention past its end). Optional fields are {@code null} while unset.
 *
 * @param id request id ({@link io.trynow.model.Ids#REQUEST})
 * @param template template asked for
 * @param state current state
 * @param instanceId the instance it got, once assigned
 * @param clientIp the visitor's IP
 * @param ownerTokenHash hash of the visitor's access token
 * @param createdAt when it was first seen by {@code acquire}
 * @param assignedAt when it got its instance
 * @param endedAt when it failed or expired
 * @param position 1-based place in the wait queue while queued (read live), else 0
 * @param checking assigned, but the instance's claim check (probe, on-claim hook) has not passed
 *     yet: the visitor is not told about the instance until it has ({@code claim_checked})
 * @param endedReason why it ended ({@code ended_reason}, e.g. {@code not_published}, {@code
 *     too_late}, {@code cancelled}), null while it has not or when none was written
 */
public record RequestRecord(
    String id,
    String template,
    RequestState state,
    String instanceId,
    String clientIp,
    String ownerTokenHash,
    Instant createdAt,
    Instant assignedAt,
    Instant endedAt,
    long position,
    boolean checking,
    String endedReason) {}
