package io.trynow.systemtests;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.trynow.model.ProvisionRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.DeadLetter;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.PublishResult;
import io.trynow.platform.messaging.Publisher;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The test's own NATS connection to a {@link Stack}: publish as a service would, read the DLQ. */
public final class Bus implements AutoCloseable {

  private final Connection connection;
  private final Publisher publisher;
  private final DeadLetters deadLetters;

  public Bus(Stack stack) {
    try {
      connection =
          Nats.connect(
              new Options.Builder()
                  .server(stack.natsUrl())
                  .maxReconnects(-1)
                  .reconnectWait(Duration.ofMillis(250))
                  .build());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    publisher = new Publisher(connection, Publisher.Options.defaults(), meters);
    deadLetters = new DeadLetters(connection, publisher, meters);
  }

  /** Publishes a provision request as pool-service does, with the given msg id. */
  public PublishResult provision(String instanceId, String template, String msgId) {
    ProvisionRequest req = new ProvisionRequest(instanceId, template, null);
    return publisher.publishWithHeaders(
        req.subject(), msgId, new io.nats.client.impl.Headers(), io.trynow.model.Json.write(req));
  }

  /**
   * An acquire request as the gateway publishes it, with the given msg id (a different one than the
   * request id gets past JetStream's dedup: a second delivery of the same request).
   */
  public PublishResult acquire(io.trynow.model.AcquireRequest req, String msgId) {
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(io.trynow.model.Headers.REQUEST_ID, req.requestId());
    return publisher.publishWithHeaders(req.subject(), msgId, h, io.trynow.model.Json.write(req));
  }

  /** The same provision request again, marked as a replay ({@code Trynow-Replay-Of}). */
  public PublishResult provisionReplay(String instanceId, String template, String msgId) {
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(io.trynow.model.Headers.REPLAY_OF, "0");
    return publisher.publishWithHeaders(
        Subjects.provision(template),
        msgId,
        h,
        io.trynow.model.Json.write(new ProvisionRequest(instanceId, template, null)));
  }

  /** Any payload on a subject (e.g. a malformed request that its consumer gives up on). */
  public PublishResult publishRaw(String subject, String msgId, String payload) {
    return publisher.publishWithHeaders(
        subject,
        msgId,
        new io.nats.client.impl.Headers(),
        payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The last request event stored on {@code subject} in {@code TRYNOW_EVENTS}, if any. */
  public java.util.Optional<io.trynow.model.RequestEvent> lastEvent(String subject) {
    try {
      io.nats.client.api.MessageInfo mi =
          connection
              .jetStreamManagement()
              .getLastMessage(io.trynow.model.Subjects.STREAM_EVENTS, subject);
      return java.util.Optional.of(
          io.trynow.model.Json.read(mi.getData(), io.trynow.model.RequestEvent.class));
    } catch (io.nats.client.JetStreamApiException e) {
      return java.util.Optional.empty(); // no message on that subject (yet)
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Dead letters whose original subject is {@code subject}. */
  public List<DeadLetter> deadLetters(String subject) {
    return deadLetters.list(0, 500, subject).items();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
