package io.trynow.model;

/** Docker labels that mark what trynow owns. Ownership is by label, never by name pattern. */
public final class Labels {

  private Labels() {}

  public static final String MANAGED = "trynow.managed";
  public static final String INSTANCE = "trynow.instance";
  public static final String TEMPLATE = "trynow.template";

  /**
   * The installation (its Valkey key prefix): two trynow installs, or two test runs, sharing one
   * Docker engine never touch each other's containers.
   */
  public static final String CLUSTER = "trynow.cluster";

  public static String containerName(String instanceId) {
    return "trynow-" + Ids.requireInstance(instanceId);
  }

  public static String routeId(String instanceId) {
    return "trynow-" + Ids.requireInstance(instanceId);
  }
}
