package io.trynow.gateway.rest;

import io.trynow.gateway.http.Problems;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The OpenAPI document says what every error of {@code /v1} and {@code /admin} looks like: each
 * 4xx/5xx response has the {@code Problem} schema as {@code application/problem+json} (RFC 9457),
 * and every operation lists 500 and 503, which any of them can answer. Registered as {@code
 * mp.openapi.filter}.
 */
public class ProblemResponses implements OASFilter {

  static final String REF = "#/components/schemas/Problem";

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
      return;
    }
    for (Map.Entry<String, PathItem> p : api.getPaths().getPathItems().entrySet()) {
      if (!p.getKey().startsWith("/v1/") && !p.getKey().startsWith("/admin/")) {
        continue;
      }
      for (Operation op : p.getValue().getOperations().values()) {
        APIResponses responses = op.getResponses();
        if (responses == null) {
          responses = OASFactory.createAPIResponses();
          op.setResponses(responses);
        }
        if (!responses.hasAPIResponse("500")) {
          responses.addAPIResponse(
              "500", OASFactory.createAPIResponse().description("internal error"));
        }
        if (!responses.hasAPIResponse("503")) {
          responses.addAPIResponse(
              "503",
              OASFactory.createAPIResponse()
                  .description("a dependency did not answer; retry after Retry-After"));
        }
        for (Map.Entry<String, APIResponse> r : responses.getAPIResponses().entrySet()) {
          if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
            r.getValue().setContent(problem());
          }
        }
      }
    }
  }

  private static Content problem() {
    return OASFactory.createContent()
        .addMediaType(
            Problems.MEDIA_TYPE,
            OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)));
  }
}
