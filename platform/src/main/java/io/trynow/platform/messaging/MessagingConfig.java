package io.trynow.platform.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** JetStream plumbing shared by every service ({@code trynow.messaging.*}). */
@ConfigMapping(prefix = "trynow.messaging")
public interface MessagingConfig {

  /** How long JetStream remembers a {@code Nats-Msg-Id} to drop duplicates. */
  @WithDefault("2m")
  Duration duplicateWindow();

  /** Retention of {@code TRYNOW_EVENTS}. */
  @WithDefault("24h")
  Duration eventsMaxAge();

  /** Retention of {@code TRYNOW_DLQ}. */
  @WithDefault("14d")
  Duration deadLetterMaxAge();

  /**
   * Size bound per stream, by short name: {@code acquire}, {@code provision}, {@code cleanup},
   * {@code events}, {@code dead-letters} ({@code trynow.messaging.bounds.<name>.max-messages /
   * max-bytes / discard}). Unset keys keep the defaults of {@link Streams.Bound#DEFAULTS}; an
   * unknown name or a bad value fails startup naming the key.
   */
  Map<String, Bound> bounds();

  /** One stream's bound; each key optional. */
  interface Bound {
    /** Most messages kept (≥ 1). */
    Optional<Long> maxMessages();

    /** Most bytes kept (≥ 1). */
    Optional<Long> maxBytes();

    /** At the bound: {@code new} refuses new messages, {@code old} drops the oldest. */
    Optional<String> discard();
  }

  /** Stream replicas: 1 on one server, 3 on a NATS cluster. */
  @WithDefault("1")
  int replicas();

  /** Wait for one PubAck. */
  @WithDefault("2s")
  Duration pubAckTimeout();

  /** Sends of the same message (same msg id) before a publish is reported as unknown. */
  @WithDefault("3")
  int publishAttempts();
}
