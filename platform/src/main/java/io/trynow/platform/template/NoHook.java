package io.trynow.platform.template;

import java.time.Duration;
import java.util.Optional;

/** A template without an on-claim hook (for templates built in code, e.g. test fixtures). */
public record NoHook() implements TemplatesConfig.Hook {
  @Override
  public String type() {
    return "none";
  }

  @Override
  public String path() {
    return "/_trynow/claim";
  }

  @Override
  public Duration timeout() {
    return Duration.ofSeconds(2);
  }

  @Override
  public Optional<String> secret() {
    return Optional.empty();
  }
}
