package io.trynow.platform.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
