package io.trynow.gateway.rest;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.trynow.platform.state.Circuit;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The templates a visitor can ask for, with public availability figures. */
@Path("/v1/templates")
@Tag(name = "templates")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class TemplatesResource {

  private final Store store;
  private final TemplatesConfig templates;

  public TemplatesResource(Store store, TemplatesConfig templates) {
    this.store = store;
    this.templates = templates;
  }

  @GET
  @Operation(summary = "Templates and how many demos are ready right now")
  public List<TemplateView> list() {
    List<TemplateView> out = new ArrayList<>();
    for (Map.Entry<String, TemplatesConfig.Template> e :
        new TreeMap<>(templates.templates()).entrySet()) {
      TemplatesConfig.Template t = e.getValue();
      PoolStats s = store.poolStats(e.getKey());
      Circuit c = store.provisioning().circuit(e.getKey());
      boolean accepting = s.ready() > 0 || (!c.degraded() && s.waiting() < t.maxQueue());
      out.add(
          new TemplateView(
              e.getKey(),
              s.ready(),
              s.waiting(),
              s.inFlight(),
              accepting,
              c.degraded(),
              CircuitView.of(c, Instant.now()),
              t.defaultTtl().toSeconds(),
              t.extendStep().toSeconds(),
              t.maxLifetime().toSeconds()));
    }
    return out;
  }
}
