package io.trynow.platform.messaging;

import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A durable pull consumer and how it is worked, declared by the service that owns it (values
 * usually from its config). Validated at construction: a bad spec fails startup with the field.
 *
 * <p>Server side ({@link #toConfiguration()}): explicit ack, {@code AckWait = ackWait}, {@code
 * MaxDeliver = maxDeliver}, {@code MaxAckPending = maxAckPending}, and {@code BackOff[i] = ackWait
 * + backoff[i]} for the first {@code maxDeliver - 1} steps (nats-server requires MaxDeliver &gt;
 * the number of BackOff steps): a worker silent for {@code ackWait} (crashed) gets its message
 * redelivered after the retry delay of that delivery. Client side: the same {@code backoff} is the
 * nak delay of retry-later ({@link RetryPolicy}); up to {@code concurrency} handlers run at once;
 * each running handler's message gets an {@code in-progress} heartbeat every {@code
 * inProgressEvery} (below {@code ackWait}).
 *
 * @param stream stream name ({@link io.trynow.model.Subjects})
 * @param durable durable consumer name, shared by all replicas of the service
 * @param filterSubject e.g. {@code trynow.provision.>}; on a work-queue stream filters of two
 *     consumers must not overlap
 * @param ackWait silence after which the server redelivers (crash detection)
 * @param backoff retry delays by delivery count, the last one repeating
 * @param maxDeliver deliveries in total before the message is dead-lettered
 * @param maxAckPending messages delivered and not yet acked, across all replicas
 * @param concurrency handlers running at once in this process
 * @param inProgressEvery heartbeat period of running handlers
 * @param pollWait how long one fetch-loop iteration waits for a message
 * @param jitter retry delays are stretched by up to this fraction
 */
public record ConsumerSpec(
    String stream,
    String durable,
    String filterSubject,
    Duration ackWait,
    List<Duration> backoff,
    int maxDeliver,
    int maxAckPending,
    int concurrency,
    Duration inProgressEvery,
    Duration pollWait,
    double jitter) {

  public ConsumerSpec {
    require(stream != null && !stream.isBlank(), "stream", "must be set");
    require(
        durable != null && durable.matches("[A-Za-z0-9_-]+"),
        "durable",
        "must match [A-Za-z0-9_-]+");
    require(filterSubject != null && !filterSubject.isBlank(), "filter-subject", "must be set");
    require(ackWait != null && ackWait.toMillis() >= 10, "ack-wait", "must be >= 10ms");
    backoff = List.copyOf(Objects.requireNonNull(backoff, "backoff"));
    require(!backoff.isEmpty(), "backoff", "must have at least one delay");
    require(backoff.stream().allMatch(d -> d.toMillis() >= 1), "backoff", "delays must be >= 1ms");
    require(maxDeliver >= 2, "max-deliver", "must be >= 2");
    require(concurrency >= 1, "concurrency", "must be >= 1");
    require(maxAckPending >= concurrency, "max-ack-pending", "must be >= concurrency");
    require(
        inProgressEvery != null
            && !inProgressEvery.isZero()
            && inProgressEvery.compareTo(ackWait) < 0,
        "in-progress-every",
        "must be > 0 and < ack-wait");
    require(
        pollWait != null && pollWait.toMillis() >= 1 && pollWait.toMillis() <= 5000,
        "poll-wait",
        "must be in [1ms, 5s]");
    require(jitter >= 0 && jitter <= 1, "jitter", "must be in [0, 1]");
  }

  private static void require(boolean ok, String field, String message) {
    if (!ok) {
      throw new IllegalArgumentException("consumer spec: " + field + " " + message);
    }
  }

  /** A builder with defaults: ackWait 30s, backoff 1s/5s/30s, maxDeliver 5, concurrency 4. */
  /**
   * A service's consumer: its settings ({@link ConsumerSettings}, from the service's config) on
   * {@code stream}, filtered to {@code filterSubject}.
   */
  public static ConsumerSpec of(String stream, String filterSubject, ConsumerSettings settings) {
    return builder(stream, settings.durable(), filterSubject).settings(settings).build();
  }

  public static Builder builder(String stream, String durable, String filterSubject) {
    return new Builder(stream, durable, filterSubject);
  }

  /** The client-side retry decisions of this consumer. */
  public RetryPolicy retryPolicy() {
    return new RetryPolicy(backoff, maxDeliver, jitter);
  }

  /** The server-side durable consumer configuration (see the class comment). */
  public ConsumerConfiguration toConfiguration() {
    List<Duration> serverBackoff = new ArrayList<>();
    for (int i = 0; i < Math.min(backoff.size(), maxDeliver - 1); i++) {
      serverBackoff.add(ackWait.plus(backoff.get(i)));
    }
    return ConsumerConfiguration.builder()
        .durable(durable)
        .filterSubject(filterSubject)
        .deliverPolicy(DeliverPolicy.All)
        .ackPolicy(AckPolicy.Explicit)
        .ackWait(ackWait)
        .backoff(serverBackoff.toArray(Duration[]::new))
        .maxDeliver(maxDeliver)
        .maxAckPending(maxAckPending)
        .build();
  }

  /** Builder of a {@link ConsumerSpec}. */
  public static final class Builder {
    private final String stream;
    private final String durable;
    private final String filterSubject;
    private Duration ackWait = Duration.ofSeconds(30);
    private List<Duration> backoff =
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30));
    private int maxDeliver = 5;
    private Integer maxAckPending;
    private int concurrency = 4;
    private Duration inProgressEvery;
    private Duration pollWait = Duration.ofMillis(200);
    private double jitter = 0.2;

    private Builder(String stream, String durable, String filterSubject) {
      this.stream = stream;
      this.durable = durable;
      this.filterSubject = filterSubject;
    }

    /** Takes every value of {@code s} (a service's config group). */
    public Builder settings(ConsumerSettings s) {
      ackWait(s.ackWait());
      backoff(s.backoff());
      maxDeliver(s.maxDeliver());
      concurrency(s.concurrency());
      s.maxAckPending().ifPresent(this::maxAckPending);
      s.inProgressEvery().ifPresent(this::inProgressEvery);
      return this;
    }

    public Builder ackWait(Duration v) {
      this.ackWait = v;
      return this;
    }

    public Builder backoff(List<Duration> v) {
      this.backoff = v;
      return this;
    }

    public Builder backoff(Duration... v) {
      this.backoff = List.of(v);
      return this;
    }

    public Builder maxDeliver(int v) {
      this.maxDeliver = v;
      return this;
    }

    /** Default: {@code 4 * concurrency}. */
    public Builder maxAckPending(int v) {
      this.maxAckPending = v;
      return this;
    }

    public Builder concurrency(int v) {
      this.concurrency = v;
      return this;
    }

    /** Default: a third of {@code ackWait}. */
    public Builder inProgressEvery(Duration v) {
      this.inProgressEvery = v;
      return this;
    }

    public Builder pollWait(Duration v) {
      this.pollWait = v;
      return this;
    }

    public Builder jitter(double v) {
      this.jitter = v;
      return this;
    }

    public ConsumerSpec build() {
      return new ConsumerSpec(
          stream,
          durable,
          filterSubject,
          ackWait,
          backoff,
          maxDeliver,
          maxAckPending != null ? maxAckPending : 4 * concurrency,
          concurrency,
          inProgressEvery != null ? inProgressEvery : ackWait.dividedBy(3),
          pollWait,
          jitter);
    }
  }
}
