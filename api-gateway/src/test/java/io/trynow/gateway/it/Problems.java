package io.trynow.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What every error answer of the gateway must be: an RFC 9457 problem with our members. */
final class Problems {

  static final String BASE = "https://trynow.dev/problems/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  /** What is wrong with this error answer (empty: it is a well-formed problem). */
  static List<String> violations(HttpResponse<byte[]> r) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    return violations(
        r.statusCode(),
        r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Trynow-Request-Id").orElse(null),
        body);
  }

  static List<String> violations(int status, String contentType, String requestId, String body) {
    List<String> v = new ArrayList<>();
    if (!contentType.startsWith("application/problem+json")) {
      v.add("content type " + contentType);
    }
    JsonNode j;
    try {
      j = JSON.readTree(body);
    } catch (Exception e) {
      v.add("not JSON: " + body);
      return v;
    }
    if (!j.path("type").asText().startsWith(BASE)) {
      v.add("type " + j.path("type"));
    }
    if (j.path("title").asText().isBlank()) {
      v.add("no title");
    }
    if (j.path("status").asInt() != status) {
      v.add("status member " + j.path("status") + " != " + status);
    }
    if (j.path("detail").asText().isBlank()) {
      v.add("no detail");
    }
    if (j.path("request_id").asText().isBlank()
        || (requestId != null && !requestId.equals(j.path("request_id").asText()))) {
      v.add("request_id " + j.path("request_id") + " (header " + requestId + ")");
    }
    if (body.contains("Exception") || body.contains("\tat ")) {
      v.add("leaks internals");
    }
    return v;
  }
}
