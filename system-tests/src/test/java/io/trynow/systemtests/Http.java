package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Plain HTTP for the system tests. */
public final class Http {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private Http() {}

  /** Status, body and headers; status -1 when the connection failed. */
  public record Answer(int status, String body, Map<String, java.util.List<String>> headers) {

    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (HTTP " + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + body;
    }
  }

  public static Answer get(String url, Map<String, String> headers) {
    return send("GET", url, headers, null);
  }

  public static Answer send(String method, String url, Map<String, String> headers, String json) {
    return send(CLIENT, method, url, headers, json);
  }

  /**
   * As {@link #send(String, String, Map, String)} with another client (e.g. a fresh connection).
   */
  public static Answer send(
      HttpClient client, String method, String url, Map<String, String> headers, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body(), r.headers().map());
    } catch (IOException e) {
      return new Answer(-1, e.toString(), Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, e.toString(), Map.of());
    }
  }
}
