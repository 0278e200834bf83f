package io.trynow.gateway.web;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /demo-host}: what a demo host with no route shows. proxy-sync's catch-all route in
 * Caddy rewrites any request for a host it has no route for to this path, names the host in the
 * {@code Trynow-Demo-Host} header (never in the path) and proxies it here, so the visitor of an
 * ended demo gets 410 "This demo has ended" with a link to start another one of the same template,
 * a demo that is not ready yet gets 503 "Starting…" that refreshes itself, and an unknown host gets
 * 404. The answer names no more than the host already does (its id).
 */
@Path("/demo-host")
@Tag(name = "pages")
@Produces("text/html")
@RunOnVirtualThread
public class DemoHostPages {

  static final int REFRESH_SECONDS = 3;

  private final Store store;
  private final Pages pages;
  private final PublicUrls urls;

  public DemoHostPages(Store store, Pages pages, PublicUrls urls) {
    this.store = store;
    this.pages = pages;
    this.urls = urls;
  }

  @GET
  @Operation(summary = "The page of a demo host that has no route: ended, starting or unknown")
  public Response show(@HeaderParam(Headers.DEMO_HOST) String host) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    int dot = h.indexOf('.');
    String id = dot > 0 ? h.substring(0, dot) : h;
    Instance i = Ids.isInstance(id) ? store.instance(id).orElse(null) : null;
    if (i == null) {
      return pages.notFound("This demo");
    }
    return switch (i.state()) {
      case TERMINATING, TERMINATED, FAILED ->
          pages.message(
              410,
              new Pages.Message(
                  "ended",
                  "This demo has ended",
                  "Its time is up or it was ended. Everything in it is gone.",
                  "Start another demo",
                  urls.tryPage(i.template())),
              null);
      default ->
          pages.message(
              503,
              new Pages.Message(
                  "starting",
                  "Starting…",
                  "Your demo is being prepared. This page reloads by itself.",
                  "Start a different demo",
                  urls.tryPage(i.template())),
              REFRESH_SECONDS);
    };
  }
}
