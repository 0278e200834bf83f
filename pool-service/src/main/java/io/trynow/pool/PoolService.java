package io.trynow.pool;

import io.quarkus.runtime.StartupEvent;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.ConsumerSpec;
import io.trynow.platform.messaging.Consumers;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.pool.acquire.AcquireHandler;
import io.trynow.pool.acquire.AcquireWarmUp;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolSignals;
import io.trynow.pool.queue.PositionNotifier;
import io.trynow.pool.queue.QueueExpirer;
import io.trynow.pool.replenish.Replenisher;
import io.trynow.pool.sizing.PoolTargets;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Starts pool-service's work, every piece under the Supervisor, then warms the acquire path up
 * ({@link AcquireWarmUp}) before the service reports ready.
 */
@Singleton
public class PoolService {

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
      PoolSignals signals,
      AcquireWarmUp warmUp) {
    consumers.consume(
        ConsumerSpec.of(
            Subjects.STREAM_ACQUIRE, Subjects.ACQUIRE_ALL, settings.config().acquireConsumer()),
        acquire);
    supervisor.run("replenisher", replenisher);
    supervisor.every("pool-targets", settings.config().targetInterval(), targets::updateAll);
    supervisor.run("queue-positions", positions);
    supervisor.run("pool-signals", signals);
    supervisor.every("queue-expiry", settings.config().expireInterval(), expirer::sweep);
    // Ready only after it: the first visitors meet a warm acquire path.
    warmUp.run();
  }
}
