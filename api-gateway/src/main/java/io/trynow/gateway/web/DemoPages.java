package io.trynow.gateway.web;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.gateway.auth.AccessTokens;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.model.Ids;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /demo/{id}}: the live demo bar around the demo (countdown, expiring warning, Extend, End
 * demo), the demo itself in a frame. The page holds no secret: the access token is in the tab's
 * sessionStorage and goes out only as {@code Authorization: Bearer}.
 *
 * <p>The button hands the token over with a form POST to this URL (never in a URL: a query or
 * fragment would land in history, logs and referrers). The POST checks the token against the demo
 * and answers the same page with the token in a JSON data block that the page's script moves to
 * sessionStorage before replacing the history entry with a plain GET.
 */
@Path("/demo")
@Tag(name = "pages")
@Produces("text/html")
@RunOnVirtualThread
public class DemoPages {

  private final Store store;
  private final Pages pages;
  private final PublicUrls urls;
  private final long warningSeconds;
  private final String page = Html.template("demo.html");

  public DemoPages(Store store, Pages pages, PublicUrls urls, GatewaySettings settings) {
    this.store = store;
    this.pages = pages;
    this.urls = urls;
    this.warningSeconds = settings.config().expiringWarning().toSeconds();
  }

  @GET
  @Path("{id}")
  @Operation(summary = "The demo bar of a demo (HTML)")
  public Response show(@PathParam("id") String id) {
    Instance i = Ids.isInstance(id) ? store.instance(id).orElse(null) : null;
    if (i == null) {
      return pages.notFound("This demo");
    }
    return render(i, null);
  }

  @POST
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Opens the demo bar, handing the access token over in the body (HTML)")
  public Response handOver(@PathParam("id") String id, @FormParam("access_token") String token) {
    Instance i = Ids.isInstance(id) ? store.instance(id).orElse(null) : null;
    if (i == null) {
      return pages.notFound("This demo");
    }
    if (!AccessTokens.matches(token, i.ownerTokenHash())) {
      return pages.message(
          403,
          new Pages.Message(
              "refused",
              "This is not your demo",
              "The demo can only be opened from the page that started it.",
              "Start a demo",
              urls.tryPage(i.template())),
          null);
    }
    // matches() checked the token's format: 43 URL-safe base64 characters, nothing to escape.
    return render(
        i,
        "<script type=\"application/json\" id=\"trynow-handoff\">{\"token\":\""
            + token
            + "\"}</script>");
  }

  private Response render(Instance i, String handoff) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", i.id());
    v.put("template", i.template());
    v.put("warning", warningSeconds);
    v.put("try", urls.tryPage(i.template()));
    v.put("handoff", new Html.Raw(handoff == null ? "" : handoff));
    return pages.page(200, Html.render(page, v), frameSource(i.url()));
  }

  /** The demo's own origin, the only thing the page may frame. */
  static String frameSource(String url) {
    if (url == null) {
      return "'none'";
    }
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getRawAuthority();
  }
}
