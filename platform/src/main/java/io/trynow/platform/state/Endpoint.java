package io.trynow.platform.state;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where Valkey is: {@code redis://[[user]:password@]host[:port][/db]} (the {@code
 * quarkus.redis.hosts} form). TLS ({@code rediss://}) is not supported by the store's client.
 */
record Endpoint(String host, int port, String user, String password, int db) {

  static Endpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("valkey url is empty");
    }
    String first = url.split(",")[0].strip();
    URI u;
    try {
      u = URI.create(first);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("valkey url is not a URI: " + first, e);
    }
    if (!"redis".equals(u.getScheme()) && !"valkey".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          "valkey url must be redis://host:port (rediss:// is not supported): " + first);
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("valkey url has no host: " + first);
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
    return new Endpoint(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), user, password, db);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "redis://" + host + ":" + port + "/" + db; // never the password
  }
}
