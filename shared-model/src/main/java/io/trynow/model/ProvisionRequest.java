package io.trynow.model;

/**
 * {@code trynow.provision.<template>}, msg id = instance id. The record in Valkey is the truth; the
 * message only says "work on this id".
 */
public record ProvisionRequest(String instanceId, String template, String requestId) {}
