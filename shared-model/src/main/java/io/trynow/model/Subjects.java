package io.trynow.model;

/**
 * NATS subjects and stream names. Tokens are validated ids, never raw input. The messages
 * themselves ({@link WireMessage}) name their subject; the wildcards here are for consumers.
 */
public final class Subjects {

  private Subjects() {}

  public static final String STREAM_ACQUIRE = "TRYNOW_ACQUIRE";
  public static final String STREAM_PROVISION = "TRYNOW_PROVISION";
  public static final String STREAM_CLEANUP = "TRYNOW_CLEANUP";
  public static final String STREAM_EVENTS = "TRYNOW_EVENTS";
  public static final String STREAM_DLQ = "TRYNOW_DLQ";

  private static final String INSTANCE_EVENTS = "trynow.events.instance.";
  private static final String REQUEST_EVENTS = "trynow.events.request.";

  public static final String ACQUIRE_ALL = "trynow.acquire.>";
  public static final String PROVISION_ALL = "trynow.provision.>";
  public static final String CLEANUP_ALL = "trynow.cleanup.>";
  public static final String EVENTS_ALL = "trynow.events.>";
  public static final String INSTANCE_EVENTS_ALL = INSTANCE_EVENTS + ">";
  public static final String REQUEST_EVENTS_ALL = REQUEST_EVENTS + ">";
  public static final String DLQ_ALL = "trynow.dlq.>";
  public static final String DLQ_PREFIX = "trynow.dlq.";

  public static String acquire(String template) {
    return "trynow.acquire." + Ids.requireTemplate(template);
  }

  public static String provision(String template) {
    return "trynow.provision." + Ids.requireTemplate(template);
  }

  public static String cleanup(String instanceId) {
    return "trynow.cleanup." + Ids.requireInstance(instanceId);
  }

  /** {@code trynow.events.instance.<id>.<kind>}. */
  public static String instanceEvent(String instanceId, InstanceEventKind kind) {
    return INSTANCE_EVENTS + Ids.requireInstance(instanceId) + "." + kind.wire();
  }

  /** {@code trynow.events.request.<request id>.<kind>}. */
  public static String requestEvent(String requestId, RequestEventKind kind) {
    return REQUEST_EVENTS + Ids.requireRequest(requestId) + "." + kind.wire();
  }

  /** Every event of one instance: {@code trynow.events.instance.<id>.*}. */
  public static String instanceEvents(String instanceId) {
    return INSTANCE_EVENTS + Ids.requireInstance(instanceId) + ".*";
  }

  /** Every event of one request: {@code trynow.events.request.<request id>.*}. */
  public static String requestEvents(String requestId) {
    return REQUEST_EVENTS + Ids.requireRequest(requestId) + ".*";
  }

  /** One kind of every instance's events: {@code trynow.events.instance.*.<kind>}. */
  public static String instanceEvents(InstanceEventKind kind) {
    return INSTANCE_EVENTS + "*." + kind.wire();
  }

  /** One kind of every request's events: {@code trynow.events.request.*.<kind>}. */
  public static String requestEvents(RequestEventKind kind) {
    return REQUEST_EVENTS + "*." + kind.wire();
  }

  /** Whether {@code subject} is an instance event's (else, on the events stream, a request's). */
  public static boolean isInstanceEvent(String subject) {
    return subject != null && subject.startsWith(INSTANCE_EVENTS);
  }

  public static String deadLetter(String originalSubject) {
    return DLQ_PREFIX + originalSubject;
  }
}
