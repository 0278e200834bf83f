package io.trynow.platform.template;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/**
 * Checks every configured template against {@link TemplateRules} when a service starts: a template
 * that breaks a rule stops the service with a message naming the key, in every service that reads
 * templates (all five), instead of passing one service's startup and failing later in another.
 */
@Startup
@Singleton
public class TemplatesCheck {

  public TemplatesCheck(TemplatesConfig templates) {
    templates.templates().forEach(TemplateRules::check);
  }
}
