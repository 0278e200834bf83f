package io.trynow.platform.state;

/**
 * The transition happened (or had already happened: {@code repeat}), and this is the record after
 * it.
 *
 * @param instance the record after the call
 * @param repeat true when the instance was already in the target state and nothing was written (an
 *     idempotent repeat)
 */
public record Changed(Instance instance, boolean repeat)
    implements FencedResult, ReleaseResult, AdminResult {}
