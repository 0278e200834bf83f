package io.trynow.platform.state;

/** The access token hash does not match the instance's owner; nothing was written. */
public record BadToken(String id) implements ExtendResult, ReleaseResult, CancelResult {}
