package io.trynow.platform.messaging;

import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Pure decision: which acknowledgement a handler's outcome on delivery {@code n} leads to.
 *
 * <ul>
 *   <li>done → {@link Ack};
 *   <li>retry-later (or a thrown exception) before the last delivery → {@link Nak} with the
 *       handler's delay or {@code delays[min(n, size) - 1]}, stretched by up to {@code jitter}
 *       (never shortened);
 *   <li>retry-later on the last delivery ({@code n >= maxDeliver}) and give-up → {@link
 *       DeadLetter}.
 * </ul>
 *
 * @param delays retry delays by delivery count (the last one repeats)
 * @param maxDeliver deliveries allowed in total
 * @param jitter fraction in {@code [0, 1]}: a delay {@code d} becomes {@code d * (1 + jitter * r)}
 */
public record RetryPolicy(List<Duration> delays, int maxDeliver, double jitter) {

  public RetryPolicy {
    delays = List.copyOf(delays);
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("retry delays must not be empty");
    }
    if (maxDeliver < 1) {
      throw new IllegalArgumentException("maxDeliver must be >= 1");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1]");
    }
  }

  /** What to do with a delivery. */
  public sealed interface Decision {}

  /** Acknowledge. */
  public record Ack() implements Decision {}

  /** Negative-acknowledge; redelivered after {@code delay}. */
  public record Nak(Duration delay, String reason) implements Decision {}

  /** Copy to the dead-letter stream, then terminate. */
  public record DeadLetter(String reason) implements Decision {}

  /** The delay before the redelivery that follows a failed delivery number {@code n}. */
  public Duration delayFor(long n, DoubleSupplier random) {
    int index = (int) Math.max(0, Math.min(n, delays.size()) - 1);
    Duration base = delays.get(index);
    return stretch(base, random);
  }

  private Duration stretch(Duration base, DoubleSupplier random) {
    return Duration.ofNanos((long) (base.toNanos() * (1 + jitter * random.getAsDouble())));
  }

  /** The decision for {@code outcome} on delivery {@code n} (1-based). */
  public Decision decide(Outcome outcome, long n, DoubleSupplier random) {
    return switch (outcome) {
      case Outcome.Done d -> new Ack();
      case Outcome.GiveUp g -> new DeadLetter(g.reason());
      case Outcome.RetryLater r -> {
        String reason = r.reason() == null ? "retry later" : r.reason();
        if (n >= maxDeliver) {
          yield new DeadLetter("retries exhausted after " + n + " deliveries: " + reason);
        }
        yield new Nak(r.delay() != null ? r.delay() : delayFor(n, random), reason);
      }
    };
  }

  /** The decision when the handler threw {@code error} on delivery {@code n}. */
  public Decision onError(Throwable error, long n, DoubleSupplier random) {
    return decide(new Outcome.RetryLater(null, String.valueOf(error)), n, random);
  }
}
