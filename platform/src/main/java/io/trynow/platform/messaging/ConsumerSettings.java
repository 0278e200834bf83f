package io.trynow.platform.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The tunable part of a durable consumer, the one way a service wires its consumer: the service's
 * {@code @ConfigMapping} has a group that extends this interface and re-declares each method with
 * its own {@code @WithDefault} (e.g. provisioner-worker's {@code trynow.provisioner.consumer.*},
 * env {@code TRYNOW_PROVISIONER_CONSUMER_ACK_WAIT}), then starts it with {@code
 * consumers.consume(ConsumerSpec.of(stream, filter, config.consumer()), handler)}. Every key can be
 * changed per service without code; an invalid combination fails at startup with the key's name.
 */
public interface ConsumerSettings {

  /** Durable consumer name, shared by every replica of the service. */
  String durable();

  /** Silence after which the server redelivers a message (the worker is presumed dead). */
  Duration ackWait();

  /** Retry delays by delivery count, comma-separated; the last one repeats. */
  List<Duration> backoff();

  /** Deliveries in total before the message is dead-lettered. */
  int maxDeliver();

  /** Handlers running at once in one process. */
  int concurrency();

  /** Messages delivered and not yet acked across all replicas (default 4 × concurrency). */
  Optional<Integer> maxAckPending();

  /** In-progress heartbeat period of a running handler (default a third of ack-wait). */
  Optional<Duration> inProgressEvery();
}
