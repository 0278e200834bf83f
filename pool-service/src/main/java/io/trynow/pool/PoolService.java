package io.trynow.pool;

import io.quarkus.runtime.StartupEvent;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.pool.acquire.AcquireHandler;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolSignals;
import io.trynow.pool.queue.PositionNotifier;
import io.trynow.pool.queue.QueueExpirer;
import io.trynow.pool.replenish.Replenisher;
import io.trynow.pool.sizing.PoolTargets;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Starts pool-service's work, every piece under the Supervisor. */
@Singleton
public class PoolService {

  /** The durable consumer of acquire requests, shared by every replica. */
  public static final String ACQUIRE_CONSUMER = "pool-acquire";

  void start(
      @Observes StartupEvent ev,
      PoolSettings settings,
      Supervisor supervisor,
      Consumers consumers,
      AcquireHandler acquire,
      Replenisher replenisher,
      PositionNotifier positions,
      QueueExpirer expirer,
      PoolTargets targets,
      PoolSignals signals) {
    int concurrency = settings.config().acquireConcurrency();
    consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_ACQUIRE, ACQUIRE_CONSUMER, Subjects.ACQUIRE_ALL)
            .ackWait(Duration.ofSeconds(10))
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
            .maxDeliver(5)
            .concurrency(concurrency)
            .maxAckPending(concurrency * 4)
            .build(),
        acquire);
    supervisor.run("replenisher", replenisher);
    supervisor.every("pool-targets", settings.config().targetInterval(), targets::updateAll);
    supervisor.run("queue-positions", positions);
    supervisor.run("pool-signals", signals);
    supervisor.every("queue-expiry", settings.config().expireInterval(), expirer::sweep);
  }
}
