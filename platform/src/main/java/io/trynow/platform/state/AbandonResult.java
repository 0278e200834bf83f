package io.trynow.platform.state;

/**
 * Outcome of closing a request whose acquire was answered "not started" ({@code abandon_request}):
 * either it is closed now and a later delivery of its acquire is refused, or it had been handled
 * first and the caller answers from the stored record.
 */
public sealed interface AbandonResult permits AbandonResult.Abandoned, AbandonResult.Exists {

  /** The request as stored after the call. */
  RequestRecord request();

  /** No record existed: a closed one (failed or expired) was written; it is never served. */
  record Abandoned(RequestRecord request) implements AbandonResult {}

  /** The request was queued, assigned or ended before this call; nothing was written. */
  record Exists(RequestRecord request) implements AbandonResult {}
}
