package io.trynow.platform.messaging;

import java.util.List;

/**
 * A page of dead letters in sequence order.
 *
 * @param items the dead letters
 * @param nextAfter pass as {@code afterSequence} for the next page; 0 when this is the last page
 */
public record DeadLetterPage(List<DeadLetter> items, long nextAfter) {}
