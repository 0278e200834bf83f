package io.trynow.model;

/**
 * Provision an instance: {@code trynow.provision.<template>}, msg id = the instance id. The record
 * in Valkey is the truth; the message only says "work on this id". The id is minted once per
 * instance, so a republish of a stale {@code requested} record and any retry collapse into one.
 */
public record ProvisionRequest(String instanceId, String template, String requestId)
    implements WireMessage {

  @Override
  public String subject() {
    return Subjects.provision(template);
  }

  @Override
  public String msgId() {
    return Ids.requireInstance(instanceId);
  }
}
