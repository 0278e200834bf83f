package io.trynow.platform.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.EnvConfigSource;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Keeps the rule every module README states: an environment variable overrides any properties file.
 * SmallRye loads the files named by {@code QUARKUS_CONFIG_LOCATIONS} at the ordinal of the source
 * that named them, so when the locations come from the environment (as {@code ./trynow up},
 * system-tests and the Helm chart pass them) the file ties with the environment (300) and wins:
 * {@code TRYNOW_TEMPLATES_HELLO_MIN_READY=4} was ignored for a {@code min-ready} set in the sample
 * template file. This factory adds the environment once more, one above its own ordinal (301):
 * still below system properties (400), above every file. Registered in {@code
 * META-INF/services/io.smallrye.config.ConfigSourceFactory}; proof: {@code
 * TemplatesConfigTest#anEnvironmentVariableOverridesAFileNamedInQuarkusConfigLocations}.
 */
public final class EnvAboveFiles implements ConfigSourceFactory {

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    List<ConfigSource> out = new ArrayList<>();
    for (ConfigSource s : context.getConfigSources()) {
      if (s instanceof EnvConfigSource env) {
        out.add(new EnvConfigSource(env.getProperties(), env.getOrdinal() + 1));
      }
    }
    return out;
  }
}
