package io.trynow.provisioner.provision;

import io.trynow.platform.http.Http1Answer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polls an instance's health URL (from {@code Endpoints#instanceUri}) until it answers 2xx, with
 * short, slowly growing intervals (the first answer is usually within tens of milliseconds), until
 * a deadline. Every {@code containerCheckEvery} it asks whether the container still runs, so a
 * container that exits fails at once instead of at the deadline.
 *
 * <p>A probe is one plain HTTP/1.1 {@code GET} on a socket of its own ({@code Connection: close}),
 * read up to the status line ({@link Http1Answer#readStatus}): no HTTP client. A flash crowd polls
 * ~10 times per container while it starts, mostly into refused connections, and the JDK {@code
 * HttpClient} (its selector thread, a worker thread per exchange, futures and a request object per
 * probe) was a quarter of the provisioner's CPU samples during the crowd bench, on the two cores
 * the Docker engine needs.
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

  /** What a probe reads after the status line, at most, before it closes. */
  private static final int MAX_DRAIN = 16 * 1024;

  private final Settings settings;

  public InstanceHealth(Settings settings) {
    this.settings = settings;
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
        int status = probe(uri, probeTimeout);
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

  /**
   * One {@code GET uri} on a new connection: the status code of the answer (redirects are not
   * followed, as before: a 3xx is not healthy).
   *
   * @throws IOException refused, timed out (connect or read, each within {@code timeout}), closed
   *     before a status line, or not HTTP
   */
  static int probe(URI uri, Duration timeout) throws IOException {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String hostHeader = uri.getPort() > 0 ? uri.getHost() + ":" + port : uri.getHost();
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(uri.getHost(), port), millis);
      s.setSoTimeout(millis);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + hostHeader
                  + "\r\nUser-Agent: trynow-provisioner\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream(), 512);
      int status = Http1Answer.readStatus(in);
      // what has arrived of the rest is read (never waited for): closing with unread bytes would
      // answer the server with a reset
      for (int drained = 0, n; drained < MAX_DRAIN && (n = in.available()) > 0; drained += n) {
        in.skipNBytes(Math.min(n, MAX_DRAIN - drained));
      }
      return status;
    }
  }
}
