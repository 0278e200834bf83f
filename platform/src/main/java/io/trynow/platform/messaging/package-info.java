/**
 * JetStream plumbing every trynow service uses (DESIGN §3). In a service, inject the beans; in a
 * plain test or benchmark, construct them on a {@link io.nats.client.Connection}.
 *
 * <pre>{@code
 * // startup (e.g. @Observes StartupEvent): one supervised durable consumer
 * consumers.consume(
 *     ConsumerSpec.builder(Subjects.STREAM_PROVISION, "provisioner", Subjects.PROVISION_ALL)
 *         .ackWait(Duration.ofSeconds(30))
 *         .backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30))
 *         .maxDeliver(5)
 *         .concurrency(4)
 *         .build(),
 *     delivery -> {
 *       ProvisionRequest req;
 *       try {
 *         req = delivery.json(ProvisionRequest.class);
 *       } catch (IllegalArgumentException malformed) {
 *         return Outcome.giveUp("malformed provision request");   // dead letter, term
 *       }
 *       ... idempotent work ...                                   // in-progress sent for you
 *       return Outcome.done();                                    // ack
 *     });
 *
 * // publishing a message of the contract: the record names its subject and msg id
 * publisher.publish(new ProvisionRequest(instanceId, tpl, requestId));   // msg id = instance id
 * publisher.publish(InstanceEvents.of(InstanceEventKind.READY, instance, null)); // <id>:<v>:<kind>
 * publisher.publish(RequestEvent.queued(rid, tpl, position, eta));        // <rid>:queued:<pos>
 *
 * // gateway -> pool round trip: JetStream publish + answer on a core inbox
 * Optional<Message> reply = publisher.publishAndAwaitReply(acquireRequest, wait);
 * publisher.reply(delivery, answerBytes);                         // on the pool side
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.trynow.platform.messaging.Streams}: the five streams, create-or-update.
 *   <li>{@link io.trynow.platform.messaging.Publisher}: PubAck'd publishes, events, request/reply.
 *   <li>{@link io.trynow.platform.messaging.Consumers}, {@link
 *       io.trynow.platform.messaging.ConsumerSpec}, {@link
 *       io.trynow.platform.messaging.MessageHandler}, {@link io.trynow.platform.messaging.Outcome},
 *       {@link io.trynow.platform.messaging.Delivery}, {@link
 *       io.trynow.platform.messaging.RetryPolicy}: supervised consumers.
 *   <li>{@link io.trynow.platform.messaging.DeadLetters}: list, show, replay, delete dead letters.
 * </ul>
 */
package io.trynow.platform.messaging;
