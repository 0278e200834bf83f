package io.trynow.provisioner.provision;

import io.trynow.model.Ids;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig.Template;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What a replayed provision request means once its instance has failed (failed is final):
 * "provision one instance of this template" — a replacement, within the template's pool targets (so
 * a pool that refilled meanwhile gets nothing extra). The replacement's id is derived from the
 * failed id and the dead letter's sequence, so a redelivery of the replay finds the same
 * replacement instead of making a second one.
 */
final class Replacements {

  private static final Logger LOG = Logger.getLogger(Replacements.class);
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private final Store store;

  Replacements(Store store) {
    this.store = store;
  }

  /**
   * The replacement of failed instance {@code failedId}, reserved now if needed; empty when the
   * pool is at its target and needs none.
   */
  Optional<String> reserve(String failedId, String templateName, Template t, String replayOf) {
    String id = idFor(failedId, replayOf);
    if (store.instance(id).isPresent()) {
      return Optional.of(id);
    }
    try {
      List<String> created =
          store
              .sizing()
              .reserveProvision(
                  new ReserveArgs(
                      templateName, t.minReady(), t.maxTotal(), t.maxInFlight(), List.of(id)))
              .created();
      if (created.isEmpty()) {
        LOG.infof(
            "replay of failed instance %s: template %s is at its pool target, no replacement",
            failedId, templateName);
        return Optional.empty();
      }
    } catch (IllegalArgumentException e) {
      if (store.instance(id).isEmpty()) {
        throw e; // not the "id exists" race of a concurrent redelivery
      }
    }
    LOG.infof("replay of failed instance %s: provisioning replacement %s", failedId, id);
    return Optional.of(id);
  }

  /** A valid instance id derived from the failed one and the replay. */
  static String idFor(String failedId, String replayOf) {
    byte[] h;
    try {
      h =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  ("replacement:" + failedId + ":" + replayOf).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder sb = new StringBuilder("i");
    for (int i = 0; sb.length() < 20; i++) {
      sb.append(BASE32[h[i] & 31]);
    }
    return Ids.requireInstance(sb.toString());
  }
}
