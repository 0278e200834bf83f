package io.trynow.platform.docker;

import java.util.function.Supplier;

/**
 * What wraps every single engine call: in services a SmallRye Fault Tolerance guard (one circuit
 * breaker for the engine, plus retry of transient failures, see {@link DockerProducer}); {@link
 * #NONE} in plain tests and benchmarks.
 */
@FunctionalInterface
public interface EngineGuard {

  <T> T call(Supplier<T> engineCall);

  EngineGuard NONE =
      new EngineGuard() {
        @Override
        public <T> T call(Supplier<T> engineCall) {
          return engineCall.get();
        }
      };
}
