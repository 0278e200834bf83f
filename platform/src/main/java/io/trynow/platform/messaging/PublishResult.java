package io.trynow.platform.messaging;

/**
 * A stored (or de-duplicated) JetStream publish.
 *
 * @param stream the stream that stored it
 * @param sequence its stream sequence (for a duplicate: the sequence of the first copy)
 * @param duplicate true when the server had already stored this msg id within the window
 */
public record PublishResult(String stream, long sequence, boolean duplicate) {}
