package io.trynow.provisioner.provision;

import io.trynow.platform.state.LeaseHeartbeat;

/**
 * One provision attempt under a claim: the instance, its template's name, and the claim this worker
 * holds (fence; renewed by the heartbeat until the attempt ends).
 */
record Attempt(String id, String template, LeaseHeartbeat.Held claim) {

  long fence() {
    return claim.fence();
  }
}
