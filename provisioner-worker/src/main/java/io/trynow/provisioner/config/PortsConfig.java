package io.trynow.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The host ports instances get ({@code trynow.ports.*}, env {@code TRYNOW_PORTS_...}). The
 * provisioner makes Valkey's free-port set match this range at startup.
 */
@ConfigMapping(prefix = "trynow.ports")
public interface PortsConfig {

  /** First instance port. */
  @WithDefault("20000")
  int first();

  /** Last instance port (inclusive). */
  @WithDefault("20999")
  int last();
}
