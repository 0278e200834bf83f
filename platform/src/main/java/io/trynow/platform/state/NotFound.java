package io.trynow.platform.state;

/** No such instance (never created, or its tombstone has expired). */
public record NotFound(String id)
    implements ClaimResult,
        PortResult,
        FencedResult,
        ReadyResult,
        ExtendResult,
        ReleaseResult,
        PlaceResult,
        AdminResult,
        CancelResult {}
