package io.trynow.model;

/** NATS subjects and stream names (DESIGN §3). Tokens are validated ids, never raw input. */
public final class Subjects {

  private Subjects() {}

  public static final String STREAM_ACQUIRE = "TRYNOW_ACQUIRE";
  public static final String STREAM_PROVISION = "TRYNOW_PROVISION";
  public static final String STREAM_CLEANUP = "TRYNOW_CLEANUP";
  public static final String STREAM_EVENTS = "TRYNOW_EVENTS";
  public static final String STREAM_DLQ = "TRYNOW_DLQ";

  public static final String ACQUIRE_ALL = "trynow.acquire.>";
  public static final String PROVISION_ALL = "trynow.provision.>";
  public static final String CLEANUP_ALL = "trynow.cleanup.>";
  public static final String EVENTS_ALL = "trynow.events.>";
  public static final String INSTANCE_EVENTS_ALL = "trynow.events.instance.>";
  public static final String REQUEST_EVENTS_ALL = "trynow.events.request.>";
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

  /** {@code trynow.events.instance.<id>.<kind>}, e.g. kind {@code started}. */
  public static String instanceEvent(String instanceId, String kind) {
    return "trynow.events.instance." + Ids.requireInstance(instanceId) + "." + kind;
  }

  /** {@code trynow.events.request.<request id>.<kind>}, e.g. kind {@code queued}. */
  public static String requestEvent(String requestId, String kind) {
    return "trynow.events.request." + Ids.requireRequest(requestId) + "." + kind;
  }

  public static String deadLetter(String originalSubject) {
    return DLQ_PREFIX + originalSubject;
  }
}
