package io.trynow.systemtests;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A product's web site on its own origin ({@code http://<loopback address>:<port>}, another address
 * than the gateway's 127.0.0.1) whose static page embeds the "Try it now" buttons with one script
 * tag, as a customer would.
 */
final class HostPage implements AutoCloseable {

  private final HttpServer server;
  private final String origin;
  private final java.util.Map<String, String> buttons;
  private volatile byte[] page = "no gateway yet".getBytes(StandardCharsets.UTF_8);

  /**
   * Listens at once (so its origin is known before the gateway is configured); {@link #embed}
   * writes the page.
   *
   * @param address a loopback address other than the gateway's, e.g. 127.0.0.2
   * @param buttons template name by button id
   */
  HostPage(String address, java.util.Map<String, String> buttons) {
    this.buttons = buttons;
    try {
      server = HttpServer.create(new InetSocketAddress(address, 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            if (!ex.getRequestURI().getPath().equals("/")) {
              ex.sendResponseHeaders(404, -1);
              return;
            }
            byte[] body = page;
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
        });
    server.start();
    origin = "http://" + address + ":" + server.getAddress().getPort();
  }

  /** The page embeds the button script of the gateway at {@code gateway} (its base URL). */
  void embed(String gateway) {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Acme — a product site</title></head><body>"
                + "<h1>Acme Shop</h1><p>The best shop software. See for yourself:</p>\n");
    buttons.forEach((id, template) ->
        html.append("<p><trynow-button id=\"")
            .append(id)
            .append("\" template=\"")
            .append(template)
            .append("\">Try ")
            .append(template)
            .append(" now</trynow-button></p>\n"));
    html.append("<script src=\"").append(gateway).append("/embed/v1/trynow.js\"></script>");
    html.append("</body></html>\n");
    page = html.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code http://address:port}: the page's origin and URL. */
  String origin() {
    return origin;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
