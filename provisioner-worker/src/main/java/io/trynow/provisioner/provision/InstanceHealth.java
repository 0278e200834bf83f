package io.trynow.provisioner.provision;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polls an instance's health URL (from {@code Endpoints#instanceUri}) until it answers 2xx, with
 * short, slowly growing intervals (the first answer is usually within tens of milliseconds), until
 * a deadline. Every {@code containerCheckEvery} it asks whether the container still runs, so a
 * container that exits fails at once instead of at the deadline.
 */
public final class InstanceHealth {

  /**
   * @param firstInterval pause after the first failed probe
   * @param maxInterval the pause grows (×1.25) up to this
   * @param requestTimeout one probe's timeout
   * @param containerCheckEvery how often the container's state is checked while waiting
   */
  public record Settings(
      Duration firstInterval,
      Duration maxInterval,
      Duration requestTimeout,
      Duration containerCheckEvery) {}

  /** The health path never answered 2xx before the deadline, or the container stopped. */
  public static final class NeverHealthyException extends Exception {
    public NeverHealthyException(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final Settings settings;

  public InstanceHealth(Settings settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.requestTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Waits for 2xx from {@code uri}.
   *
   * @param containerProblem answers why the container cannot become healthy (exited, gone), or
   *     empty while it runs
   * @return how long it took
   * @throws NeverHealthyException past {@code timeout}, or when the container stopped
   */
  public Duration await(URI uri, Duration timeout, Supplier<Optional<String>> containerProblem)
      throws NeverHealthyException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long nextContainerCheck = start + settings.containerCheckEvery().toNanos();
    long pauseNanos = settings.firstInterval().toNanos();
    String last = "no answer";
    while (true) {
      long now = System.nanoTime();
      long left = deadline - now;
      if (left <= 0) {
        throw new NeverHealthyException(
            "health " + uri.getPath() + " not 2xx within " + timeout + " (last: " + last + ")");
      }
      Duration probeTimeout =
          Duration.ofNanos(
              Math.min(settings.requestTimeout().toNanos(), Math.max(left, 1_000_000)));
      try {
        int status =
            http.send(
                    HttpRequest.newBuilder(uri).timeout(probeTimeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status >= 200 && status < 300) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
        last = "HTTP " + status;
      } catch (IOException e) {
        last = e.getClass().getSimpleName();
      }
      if (System.nanoTime() >= nextContainerCheck) {
        Optional<String> problem = containerProblem.get();
        if (problem.isPresent()) {
          throw new NeverHealthyException(problem.get() + " before its health passed");
        }
        nextContainerCheck = System.nanoTime() + settings.containerCheckEvery().toNanos();
      }
      Thread.sleep(
          Duration.ofNanos(Math.min(pauseNanos, Math.max(0, deadline - System.nanoTime()))));
      pauseNanos = Math.min((long) (pauseNanos * 1.25), settings.maxInterval().toNanos());
    }
  }
}
