package io.trynow.platform.messaging;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One message in {@code TRYNOW_DLQ}.
 *
 * @param sequence its sequence in {@code TRYNOW_DLQ}: the id used to show, replay and delete it
 * @param originalSubject where it was published (replay publishes there again)
 * @param originalStream the stream it came from
 * @param originalSequence its sequence in that stream
 * @param deliveries how many times it was delivered
 * @param lastError why it was given up
 * @param deadLetteredAt when it was dead-lettered
 * @param requestId its {@code Trynow-Request-Id}, or null
 * @param headers all headers of the dead letter (original ones and the {@code Trynow-Dlq-*} ones)
 * @param data the original payload
 */
public record DeadLetter(
    long sequence,
    String originalSubject,
    String originalStream,
    long originalSequence,
    long deliveries,
    String lastError,
    Instant deadLetteredAt,
    String requestId,
    Map<String, List<String>> headers,
    byte[] data) {}
