package io.trynow.platform.nats;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Connection to NATS, shared by every service. */
@ConfigMapping(prefix = "trynow.nats")
public interface NatsConfig {

  /** NATS server URL(s), comma-separated. */
  @WithDefault("nats://127.0.0.1:14222")
  String url();

  /** Timeout of the first connect and of each reconnect attempt. */
  @WithDefault("2s")
  Duration connectTimeout();

  /** Wait between reconnect attempts; the client reconnects forever. */
  @WithDefault("250ms")
  Duration reconnectWait();
}
