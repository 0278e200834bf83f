package io.trynow.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trynow.platform.messaging.ConsumerSettings;
import java.time.Duration;
import java.util.List;

/**
 * provisioner-worker settings ({@code trynow.provisioner.*}, env {@code TRYNOW_PROVISIONER_...}).
 * The engine connection is {@code trynow.docker.*}, the templates {@code trynow.templates.*}.
 */
@ConfigMapping(prefix = "trynow.provisioner")
public interface ProvisionerConfig {

  /**
   * Lease of a provisioning claim. Short on purpose: it is renewed every third of it by this
   * worker's lease heartbeat for as long as the provision runs (a lock shorter than the work is no
   * lock — so the lock is kept alive, not made long), and a worker that dies stops renewing: its
   * claims lapse within one lease and its in-flight slots go back to work at once. At least 300ms.
   */
  @WithDefault("6s")
  Duration lease();

  /**
   * A provision that frees its template's {@code max-in-flight} slot ({@code mark_started})
   * reserves and publishes the template's next provision itself ({@code reserve_provision}, the
   * same call as pool-service's replenisher), so a flash crowd's next container does not wait for
   * the round trip through pool-service. Off: only pool-service's replenisher requests provisions.
   */
  @WithDefault("true")
  boolean slotRefill();

  /** Instance health polling. */
  Health health();

  /** The image check of every template. */
  ImageCheck imageCheck();

  /**
   * Every template's image is looked up on the engine at startup and then periodically (this is
   * also how a changed template is noticed: a new image). A missing image opens the template's
   * failure circuit at once (no provision is tried, new visitors get 503 template_unavailable), its
   * return closes the circuit and the pool refills.
   */
  interface ImageCheck {
    /**
     * Off: a missing image is only found by failing provisions (they count towards the circuit).
     */
    @WithDefault("true")
    boolean enabled();

    /** Period of the check; a missing image holds the circuit open for three periods. */
    @WithDefault("5s")
    Duration interval();
  }

  /** The durable consumer of {@code trynow.provision.>}. */
  Consumer consumer();

  /** Health polling settings. */
  interface Health {
    /**
     * Pause after the first failed probe; grows ×1.25 per probe. A refused connection on loopback
     * costs microseconds, and most apps answer within tens of milliseconds of their start.
     */
    @WithDefault("5ms")
    Duration firstInterval();

    /** Largest pause between probes. */
    @WithDefault("250ms")
    Duration maxInterval();

    /** Timeout of one probe. */
    @WithDefault("1s")
    Duration requestTimeout();

    /** How often the container's state is checked while waiting (an exited one fails at once). */
    @WithDefault("1s")
    Duration containerCheckEvery();
  }

  /** Consumer settings. */
  interface Consumer extends ConsumerSettings {
    /** Durable name, shared by all replicas. */
    @Override
    @WithDefault("provisioner")
    String durable();

    /**
     * Silence after which the server redelivers (in-progress heartbeats, every third of it, keep
     * long work alive): a killed worker's requests come back after this plus the first backoff.
     */
    @Override
    @WithDefault("6s")
    Duration ackWait();

    /** Retry delays by delivery, the last one repeating. */
    @Override
    @WithDefault("1s,5s,15s,30s")
    List<Duration> backoff();

    /** Deliveries before the request is failed and dead-lettered. */
    @Override
    @WithDefault("5")
    int maxDeliver();

    /**
     * Provisions handled at once in this process: each template's engine work is gated to its
     * {@code max-in-flight} ({@code EngineSlots}); the handlers beyond wait there claimed, placed
     * and with a port, so this must be at least {@code TemplatesConfig.LOOKAHEAD} × the templates'
     * {@code max-in-flight} summed.
     */
    @Override
    @WithDefault("16")
    int concurrency();
  }
}
