package io.trynow.platform.state;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Valkey address in the {@code quarkus.redis.hosts} form: {@code
 * redis[s]://[[user]:password@]host[:port][/db]} ({@code rediss} = TLS). Used to validate settings
 * and to name the server in messages; {@link #toString()} never shows credentials.
 */
record Endpoint(boolean tls, String host, int port, String user, String password, int db) {

  /** The first address of a comma-separated list. */
  static Endpoint parse(String url) {
    return parseAll(url).get(0);
  }

  /** Every address of a comma-separated list. */
  static List<Endpoint> parseAll(String urls) {
    if (urls == null || urls.isBlank()) {
      throw new IllegalArgumentException("valkey url is empty");
    }
    List<Endpoint> out = new ArrayList<>();
    for (String one : urls.split(",")) {
      out.add(parseOne(one.strip()));
    }
    return out;
  }

  /** The addresses of a comma-separated list as text without credentials. */
  static String describe(String urls) {
    try {
      return String.join(",", parseAll(urls).stream().map(Endpoint::toString).toList());
    } catch (IllegalArgumentException e) {
      return "(invalid valkey url)";
    }
  }

  private static Endpoint parseOne(String first) {
    URI u;
    try {
      u = URI.create(first);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("valkey url is not a URI: " + redact(first), e);
    }
    if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          "valkey url must be redis://host:port or rediss://host:port (TLS): " + redact(first));
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("valkey url has no host: " + redact(first));
    }
    String user = null;
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = parts[0].isEmpty() ? null : decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    int db = 0;
    String path = u.getPath();
    if (path != null && path.length() > 1) {
      db = Integer.parseInt(path.substring(1));
    }
    return new Endpoint(
        "rediss".equals(u.getScheme()),
        u.getHost(),
        u.getPort() < 0 ? 6379 : u.getPort(),
        user,
        password,
        db);
  }

  private static String redact(String url) {
    int at = url.lastIndexOf('@');
    int scheme = url.indexOf("://");
    return at < 0 || scheme < 0 ? url : url.substring(0, scheme + 3) + "***" + url.substring(at);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + host + ":" + port + "/" + db; // never the password
  }
}
