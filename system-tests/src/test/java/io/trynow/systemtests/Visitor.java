package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A visitor (and an operator) talking to the api-gateway of a {@link Stack}, over plain HTTP. */
public final class Visitor {

  /** The admin key of every stack; the gateway is given its SHA-256. */
  public static final String ADMIN_KEY = "system-test-admin-key-0123456789abcdef";

  private final String base;
  private final String management;

  public Visitor(Stack stack) {
    this.base = stack.url(Service.API_GATEWAY);
    this.management = stack.managementUrl(Service.API_GATEWAY);
  }

  /** A demo the visitor holds: its id and access token. */
  public record Demo(String id, String token, JsonNode body) {}

  /** {@code POST /v1/demos}: the raw answer (201, 202, 429, 503...). */
  public Http.Answer acquireRaw(String template) {
    return Http.send("POST", base + "/v1/demos", Map.of(), "{\"template\":\"" + template + "\"}");
  }

  /** {@code POST /v1/demos} that must answer 201 (the pool had one ready). */
  public Demo acquire(String template) {
    Http.Answer a = acquireRaw(template);
    if (a.status() != 201) {
      throw new AssertionError("acquire " + template + " expected 201, got " + a);
    }
    JsonNode body = a.json();
    return new Demo(body.path("id").asText(), body.path("access_token").asText(), body);
  }

  public Http.Answer status(Demo d) {
    return Http.get(base + "/v1/demos/" + d.id(), bearer(d.token()));
  }

  public Http.Answer extend(Demo d, int minutes) {
    return Http.send(
        "POST",
        base + "/v1/demos/" + d.id() + "/extend",
        bearer(d.token()),
        "{\"minutes\":" + minutes + "}");
  }

  public Http.Answer release(Demo d) {
    return Http.send("DELETE", base + "/v1/demos/" + d.id(), bearer(d.token()), null);
  }

  /** {@code GET /admin/dead-letters} (on the gateway's management interface). */
  public Http.Answer deadLetters() {
    return Http.get(management + "/admin/dead-letters", bearer(ADMIN_KEY));
  }

  /** {@code POST /admin/dead-letters/<seq>/replay}. */
  public Http.Answer replay(long sequence) {
    return Http.send(
        "POST",
        management + "/admin/dead-letters/" + sequence + "/replay",
        bearer(ADMIN_KEY),
        null);
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  /** SHA-256 hex of the admin key, for {@code trynow.gateway.admin-key-hash}. */
  public static String adminKeyHash() {
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(ADMIN_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
