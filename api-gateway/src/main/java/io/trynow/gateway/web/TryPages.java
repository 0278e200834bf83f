package io.trynow.gateway.web;

import io.trynow.model.Ids;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /try/{template}}: the hosted "Try it now" page for a plain link (e-mails, QR codes).
 * Opening it starts nothing (link scanners and previews would burn demos); the visitor clicks the
 * same {@code <trynow-button>} that other sites embed. {@code GET /try} lists the templates.
 */
@Path("/try")
@Tag(name = "pages")
@Produces("text/html")
public class TryPages {

  private final TemplatesConfig templates;
  private final Pages pages;
  private final String page = Html.template("try.html");
  private final String index = Html.template("try-index.html");

  public TryPages(TemplatesConfig templates, Pages pages) {
    this.templates = templates;
    this.pages = pages;
  }

  @GET
  @Operation(summary = "The templates one can try (HTML)")
  public Response index() {
    StringBuilder items = new StringBuilder();
    new TreeMap<>(templates.templates())
        .keySet()
        .forEach(name ->
            items
                .append("<li><a href=\"/try/")
                .append(Html.escape(name))
                .append("\">")
                .append(Html.escape(name))
                .append("</a></li>\n"));
    return pages.page(
        200, Html.render(index, Map.of("items", new Html.Raw(items.toString()))), "'none'");
  }

  @GET
  @Path("{template}")
  @Operation(summary = "The try page of a template (HTML)")
  public Response template(@PathParam("template") String template) {
    TemplatesConfig.Template t =
        Ids.isTemplate(template) ? templates.templates().get(template) : null;
    if (t == null) {
      return pages.notFound("This demo");
    }
    String html =
        Html.render(
            page,
            Map.of(
                "template", template,
                "ttl", human(t.defaultTtl()),
                "max", human(t.maxLifetime())));
    return pages.page(200, html, "'none'");
  }

  /** "15 minutes", "2 hours", "45 seconds". */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0 && s >= 3600) {
      return plural(s / 3600, "hour");
    }
    if (s % 60 == 0 && s >= 60) {
      return plural(s / 60, "minute");
    }
    return plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
