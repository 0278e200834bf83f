package io.trynow.platform.state;

import io.trynow.model.InstanceState;

/**
 * The instance is not in a state this call may move it from; nothing was written.
 *
 * @param id instance id
 * @param state the state it is in
 */
public record WrongState(String id, InstanceState state)
    implements ClaimResult,
        PortResult,
        FencedResult,
        ReadyResult,
        ExtendResult,
        ReleaseResult,
        PlaceResult,
        AdminResult {}
