package io.trynow.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code caddy} with its admin API on loopback and nothing else configured: proxy-sync
 * creates the HTTP server itself. {@link #httpPort()} is a free port reserved for that server. A
 * restart comes back empty, like a crashed Caddy without {@code --resume}.
 */
public final class CaddyServer extends ManagedServer {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private final int httpPort;

  public CaddyServer() {
    super(Binaries.require("caddy"), FreePorts.one(), "trynow-caddy-");
    this.httpPort = FreePorts.one();
  }

  @Override
  public String name() {
    return "caddy";
  }

  /** The admin API, e.g. {@code http://127.0.0.1:40123}. */
  public String adminUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The port demos are served on once proxy-sync has created the server. */
  public int httpPort() {
    return httpPort;
  }

  @Override
  protected List<String> command() {
    Path config = dir.resolve("caddy.json");
    try {
      Files.writeString(
          config,
          """
          {"admin": {"listen": "127.0.0.1:%d"},
           "storage": {"module": "file_system", "root": "%s"}}
          """
              .formatted(port, dir.resolve("storage")));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return List.of(binary, "run", "--config", config.toString());
  }

  @Override
  protected boolean answers() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(adminUrl() + "/config/"))
                  .timeout(Duration.ofMillis(500))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
