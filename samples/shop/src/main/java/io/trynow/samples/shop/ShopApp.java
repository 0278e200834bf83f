package io.trynow.samples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trynow.samples.shop.MiniHttp.Request;
import io.trynow.samples.shop.MiniHttp.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code shop} sample: a demo web shop that must be told who it is when a visitor claims it.
 * trynow's on-claim hook ({@code POST /_trynow/claim}, body {@code {instance_id, public_url,
 * claim_id, expires_at, fields}}, header {@code X-Trynow-Signature: sha256=<HMAC-SHA256 of the body
 * with the template's secret>}) sets the shop's public domain in its SQLite database, once per
 * claim id; the page shows the domain the shop believes it has.
 *
 * <p>Environment: {@code PORT}, {@code BIND} (trynow's), {@code TRYNOW_INSTANCE_ID}, {@code
 * TRYNOW_HOOK_SECRET}, {@code TRYNOW_TABLE_PREFIX} (default {@code shop_}), {@code SHOP_DB}
 * (default {@code /tmp/shop.db}: the root filesystem is read-only), {@code SHOP_FAULTS=1} (tests
 * only: {@code POST /_faults/hook/ok|slow|fail} makes this instance's hook answer normally, hang,
 * or fail).
 */
public final class ShopApp {

  static final String HOOK_PATH = "/_trynow/claim";
  private static final Pattern CLAIM_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final ObjectMapper json = new ObjectMapper();
  private final ShopDb db;
  private final String instanceId;
  private final byte[] secret;
  private final boolean faults;
  private final AtomicLong hookCalls = new AtomicLong();
  private final AtomicLong badSignatures = new AtomicLong();
  private volatile String hookMode = "ok";

  ShopApp(ShopDb db, String instanceId, String secret, boolean faults) {
    this.db = db;
    this.instanceId = instanceId;
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    this.faults = faults;
  }

  public static void main(String[] args) throws Exception {
    String prefix = env("TRYNOW_TABLE_PREFIX", "shop_");
    ShopDb db;
    try {
      db = new ShopDb(Path.of(env("SHOP_DB", "/tmp/shop.db")), prefix);
    } catch (IllegalArgumentException e) {
      System.err.println("shop: TRYNOW_TABLE_PREFIX: " + e.getMessage());
      System.exit(2);
      return;
    }
    ShopApp app =
        new ShopApp(
            db,
            env("TRYNOW_INSTANCE_ID", ""),
            System.getenv("TRYNOW_HOOK_SECRET"),
            "1".equals(System.getenv("SHOP_FAULTS")));
    // The hook runs once per instance, on the visitor's path: its first call must not pay for
    // class loading (JSON, HMAC, SQLite). Done before the port opens, so before health passes.
    app.warmUp();
    String bind = env("BIND", "127.0.0.1");
    int port = Integer.parseInt(env("PORT", "8080"));
    System.out.println("shop: listening on " + bind + ":" + port);
    MiniHttp.serve(bind, port, app::handle);
  }

  Response handle(Request r) throws Exception {
    String route = r.method() + " " + r.path();
    switch (route) {
      case "GET /healthz":
        return Response.text(200, "ok\n");
      case "GET /":
        return Response.html(page(db.state()));
      case "GET /_trynow/state":
        return Response.json(200, stateJson(db.state()));
      case "POST " + HOOK_PATH:
        return claim(r);
      default:
        if (faults && r.method().equals("POST") && r.path().startsWith("/_faults/hook/")) {
          hookMode = r.path().substring("/_faults/hook/".length());
          return Response.text(200, "hook mode " + hookMode + "\n");
        }
        return Response.text(404, "not found\n");
    }
  }

  /** Exercises the hook's code path once without effect (see main). */
  void warmUp() throws Exception {
    byte[] body =
        "{\"claim_id\":\"warm-up\",\"public_url\":\"http://warm.up/\",\"fields\":{}}"
            .getBytes(StandardCharsets.UTF_8);
    json.readTree(body);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("warm-up-key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    MessageDigest.isEqual(mac.doFinal(body), HexFormat.of().parseHex("00"));
    URI.create("http://warm.up:8080/").getHost();
    db.warmUp();
    page(db.state());
    json.writeValueAsString(json.createObjectNode().put("warm", true));
  }

  /** The on-claim hook: signature, then the claim applied once per claim id. */
  private Response claim(Request r) throws Exception {
    hookCalls.incrementAndGet();
    if (secret == null || !signed(r)) {
      badSignatures.incrementAndGet();
      return Response.json(401, "{\"error\":\"bad_signature\"}");
    }
    switch (hookMode) {
      case "slow" -> Thread.sleep(120_000);
      case "fail" -> {
        return Response.json(500, "{\"error\":\"failing on purpose (SHOP_FAULTS)\"}");
      }
      default -> {}
    }
    JsonNode body = json.readTree(r.body());
    String claimId = body.path("claim_id").asText("");
    if (!CLAIM_ID.matcher(claimId).matches()) {
      return Response.json(400, "{\"error\":\"claim_id\"}");
    }
    if (!instanceId.isEmpty() && !instanceId.equals(body.path("instance_id").asText())) {
      return Response.json(409, "{\"error\":\"not_this_instance\"}");
    }
    URI url = URI.create(body.path("public_url").asText(""));
    if (url.getHost() == null
        || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
      return Response.json(400, "{\"error\":\"public_url\"}");
    }
    String domain = url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
    JsonNode name = body.path("fields").path("shop_name");
    boolean applied =
        db.applyClaim(
            claimId, domain, url.toString(), name.isTextual() ? name.asText() : "Demo shop");
    return Response.json(200, "{\"applied\":" + applied + "}");
  }

  private boolean signed(Request r) throws Exception {
    String header = r.header("X-Trynow-Signature");
    if (header == null || !header.startsWith("sha256=")) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    byte[] expected = mac.doFinal(r.body());
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring("sha256=".length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, given);
  }

  private String stateJson(ShopDb.State s) throws Exception {
    ObjectNode n = json.createObjectNode();
    n.put("instance_id", instanceId);
    n.put("domain", s.domain());
    n.put("base_url", s.baseUrl());
    n.put("shop_name", s.shopName());
    n.put("claims_applied", s.claimsApplied());
    n.put("hook_calls", hookCalls.get());
    n.put("bad_signatures", badSignatures.get());
    return json.writeValueAsString(n);
  }

  private String page(ShopDb.State s) {
    String domain = s.domain() == null ? "(not claimed yet)" : s.domain();
    String name = s.shopName() == null ? "Demo shop" : s.shopName();
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
        + esc(name)
        + "</title></head><body><h1>"
        + esc(name)
        + "</h1><p>This shop's domain: <strong id=\"domain\">"
        + esc(domain)
        + "</strong></p><p>Base URL: <span id=\"base-url\">"
        + esc(s.baseUrl() == null ? "" : s.baseUrl())
        + "</span></p><p>Claims applied: <span id=\"claims\">"
        + s.claimsApplied()
        + "</span></p></body></html>\n";
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }
}
