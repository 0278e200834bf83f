package io.trynow.provisioner.provision;

import io.trynow.platform.docker.Containers;
import io.trynow.platform.docker.DockerUnavailableException;
import io.trynow.platform.docker.ImageMissingException;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StoreException;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.provisioner.config.ProvisionerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Checks that every template's image is on the engine — at startup, before the first provision
 * request is taken, and then on a timer — and reports it to the template's failure circuit in
 * Valkey: a missing image opens it at once (nothing is provisioned, no dead letters pile up,
 * visitors are told), the image's return closes it and the pool refills. A missing image is
 * reported, not discovered by a failing pool.
 */
@ApplicationScoped
public class ImageWatch {

  private static final Logger LOG = Logger.getLogger(ImageWatch.class);

  private final Containers containers;
  private final Store store;
  private final TemplatesConfig templates;
  private final ProvisionerConfig.ImageCheck config;

  ImageWatch(
      Containers containers, Store store, TemplatesConfig templates, ProvisionerConfig config) {
    this.containers = containers;
    this.store = store;
    this.templates = templates;
    this.config = config.imageCheck();
  }

  public boolean enabled() {
    return config.enabled();
  }

  public Duration interval() {
    return config.interval();
  }

  /** One check of every template; an engine or store outage skips the round (logged). */
  public void checkAll() {
    for (Map.Entry<String, TemplatesConfig.Template> e :
        new TreeMap<>(templates.templates()).entrySet()) {
      String image = e.getValue().image();
      boolean present;
      try {
        present = containers.imagePresent(image);
      } catch (DockerUnavailableException ex) {
        LOG.debugf("image check skipped: engine unavailable (%s)", ex.getMessage());
        return;
      }
      report(e.getKey(), image, present);
    }
  }

  /** A provision found the image missing: the same report, at once. */
  public void missing(String template, ImageMissingException e) {
    if (config.enabled()) {
      report(template, e.image(), false);
    }
  }

  private void report(String template, String image, boolean present) {
    String why = new ImageMissingException(image, null).getMessage();
    try {
      if (store
          .provisioning()
          .imageChecked(template, present, why, config.interval().multipliedBy(3))) {
        if (present) {
          LOG.infof("template %s: image %s is present again; circuit closed", template, image);
        } else {
          LOG.errorf("template %s: %s; circuit open, nothing is provisioned", template, why);
        }
      }
    } catch (StoreException ex) {
      LOG.warnf("template %s: image check not recorded (%s)", template, ex.getMessage());
    }
  }
}
