package io.trynow.platform.warmup;

import java.time.Duration;
import java.util.Objects;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * Runs a service's hot path a number of rounds at startup, against the real servers but without
 * changing any state (reads of keys that do not exist, core publishes to an inbox nobody listens
 * on, JSON of the contract's records), so that the first visitors do not pay for what a young JVM
 * does on first use: class loading and linking, first-use initialisation (Jackson's serializers,
 * the clients' buffers and codecs) and interpreted code (the JIT compiles a method only after a few
 * hundred calls: under sparse traffic, one visitor every few seconds, that takes minutes).
 *
 * <p>The service reports ready only after its warm-up ({@link #done()}, read by its readiness
 * check). A round that throws ends the warm-up early (logged; startup goes on: a warm-up never
 * keeps a service from starting). Bounded by {@link WarmUpConfig#rounds()} and {@link
 * WarmUpConfig#maxTime()}.
 */
public final class WarmUp {

  private static final Logger LOG = Logger.getLogger(WarmUp.class);

  /** One round of the hot path; {@code round} counts from 0. */
  @FunctionalInterface
  public interface Round {
    void run(int round) throws Exception;
  }

  /**
   * What a warm-up did.
   *
   * @param rounds rounds completed
   * @param took wall time
   * @param failure why it ended early, or null
   */
  public record Result(int rounds, Duration took, String failure) {}

  private final String name;
  private final int rounds;
  private final Duration maxTime;
  private volatile Result result;

  public WarmUp(String name, WarmUpConfig config) {
    this(name, config.rounds(), config.maxTime());
  }

  public WarmUp(String name, int rounds, Duration maxTime) {
    if (rounds < 0) {
      throw new IllegalArgumentException("trynow.warm-up.rounds must be >= 0, got " + rounds);
    }
    if (maxTime == null || maxTime.isNegative()) {
      throw new IllegalArgumentException("trynow.warm-up.max-time must be >= 0");
    }
    this.name = Objects.requireNonNull(name);
    this.rounds = rounds;
    this.maxTime = maxTime;
    if (rounds == 0) {
      result = new Result(0, Duration.ZERO, null);
    }
  }

  /** Runs {@code round} up to the configured rounds and time on the calling thread. */
  public Result run(Round round) {
    if (result != null) {
      return result;
    }
    long start = System.nanoTime();
    long end = Long.MAX_VALUE;
    int done = 0;
    String failure = null;
    try {
      while (done < rounds && System.nanoTime() < end) {
        round.run(done);
        done++;
        if (done == 1) {
          // the first round opens the connections and loads the classes: it always runs whole
          end = System.nanoTime() + maxTime.toNanos();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } catch (Exception e) {
      failure = e.toString();
    }
    Result r = new Result(done, Duration.ofNanos(System.nanoTime() - start), failure);
    if (failure == null) {
      LOG.infof("warm-up of %s: %d rounds in %d ms", name, r.rounds(), r.took().toMillis());
    } else {
      LOG.warnf(
          "warm-up of %s ended after %d rounds (%d ms): %s",
          name, r.rounds(), r.took().toMillis(), failure);
    }
    result = r;
    return r;
  }

  /** True once the warm-up has run (or is off). */
  public boolean done() {
    return result != null;
  }

  /** What the warm-up did, or null while it has not run. */
  public Result result() {
    return result;
  }

  /**
   * The service's readiness check {@code warm-up}: DOWN while the warm-up has not run, then UP with
   * its rounds and milliseconds.
   */
  public HealthCheckResponse readiness() {
    return readiness("warm-up");
  }

  /** The same readiness under another check name (a service with a second warm-up). */
  public HealthCheckResponse readiness(String check) {
    Result r = result;
    if (r == null) {
      return HealthCheckResponse.named(check).down().withData("state", "running").build();
    }
    return HealthCheckResponse.named(check)
        .up()
        .withData("rounds", r.rounds())
        .withData("ms", r.took().toMillis())
        .build();
  }
}
