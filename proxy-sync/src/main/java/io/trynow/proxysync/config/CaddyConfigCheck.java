package io.trynow.proxysync.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shapes {@link CaddyConfig}'s values must have; a wrong one fails proxy-sync's startup naming
 * the key. A plain check instead of Hibernate Validator's {@code @Pattern} on the mapping: building
 * the validator factory at static init took about a third of proxy-sync's startup thread's CPU
 * (JFR, session 11) for these three values.
 */
public final class CaddyConfigCheck {

  static final Pattern ADMIN_URL = Pattern.compile("https?://[^/\\s]+/?");
  static final Pattern SERVER_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  static final Pattern HOST_PORT =
      Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}|\\[[0-9a-fA-F:.]+]:[0-9]{1,5}");

  private CaddyConfigCheck() {}

  /** Throws {@link IllegalArgumentException} naming the first key whose value has a wrong shape. */
  public static void check(CaddyConfig config) {
    check(config.adminUrl(), config.serverName(), config.pagesUpstream());
  }

  static void check(String adminUrl, String serverName, Optional<String> pagesUpstream) {
    require("trynow.caddy.admin-url", adminUrl, ADMIN_URL, "must be http(s)://host:port");
    require("trynow.caddy.server-name", serverName, SERVER_NAME, "must be a simple name");
    if (pagesUpstream.isPresent()) {
      require("trynow.caddy.pages-upstream", pagesUpstream.get(), HOST_PORT, "must be host:port");
    }
  }

  private static void require(String key, String value, Pattern shape, String message) {
    if (!shape.matcher(value).matches()) {
      throw new IllegalArgumentException(key + " " + message + ", got '" + value + "'");
    }
  }
}
