package io.trynow.platform.messaging;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The tunable part of a {@link ConsumerSpec} as a config group, to embed in a service's
 * {@code @ConfigMapping} (e.g. {@code ConsumerSettings provisionConsumer();} gives keys {@code
 * trynow.provisioner.provision-consumer.ack-wait}, env {@code
 * TRYNOW_PROVISIONER_PROVISION_CONSUMER_ACK_WAIT}), then {@code ConsumerSpec.builder(stream,
 * durable, filter).settings(config.provisionConsumer()).build()}. An invalid combination fails at
 * startup with the key's name.
 */
public interface ConsumerSettings {

  /** Silence after which the server redelivers a message (the worker is presumed dead). */
  @WithDefault("30s")
  Duration ackWait();

  /** Retry delays by delivery count, comma-separated; the last one repeats. */
  @WithDefault("1s,5s,30s")
  List<Duration> backoff();

  /** Deliveries in total before the message is dead-lettered. */
  @WithDefault("5")
  int maxDeliver();

  /** Handlers running at once in one process. */
  @WithDefault("4")
  int concurrency();

  /** Messages delivered and not yet acked across all replicas (default 4 × concurrency). */
  Optional<Integer> maxAckPending();

  /** In-progress heartbeat period of a running handler (default a third of ack-wait). */
  Optional<Duration> inProgressEvery();
}
