package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.HookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What the on-claim hook costs on the acquire path: the whole local stack ({@code ./trynow up} on
 * slot {@code TRYNOW_BENCH_SLOT}) with the {@code shop} sample twice — {@code shop} with its hook
 * and {@code shopnohook}, the same image and settings without it — and one {@code POST /v1/demos}
 * of each, alternating, every {@code interval} ms (each demo released right after). Prints
 * p50/p90/p99/max of both, next to the raw floor measured in the same run: the hook's own signed
 * POST from this JVM to a ready shop instance (the part the hook adds), and one Lua call, one
 * JetStream PubAck and one core request/reply (what every acquire costs).
 *
 * <p>{@code ./trynow bench hook [rounds=40] [interval ms=400] [ready=6]}
 */
public final class HookBench {

  static final String SECRET = "bench-hook-secret-0123456789abcdef";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int intervalMs = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int ready = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    Path root = io.trynow.testsupport.SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      stack.run(
          Map.of(), "./mvnw", "-B", "-q", "-o", "-DskipTests", "package", "-pl", "samples/shop");
      stack.run(Map.of(), "bash", "samples/shop/build.sh");
      double up = stack.up(env(root, ready));
      System.out.printf("stack up in %.1f s (load %s)%n", up, LocalStack.load());
      try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
        double filled = LocalStack.awaitPool(store, "shop", ready);
        LocalStack.awaitPool(store, "shopnohook", ready);
        System.out.printf(
            "pools of %d ready %.1f s later (load %s)%n", ready, filled, LocalStack.load());
        ServerStages.Snapshot stagesBefore = ServerStages.read(stack.poolPort(), ServerStages.POOL);
        Stats with = new Stats("POST /v1/demos shop (on-claim hook)");
        Stats without = new Stats("POST /v1/demos shopnohook (same image, no hook)");
        with.start();
        without.start();
        for (int i = 0; i < rounds; i++) {
          // alternate which goes first, so that neither series always follows the other
          boolean hookFirst = i % 2 == 0;
          acquireOnce(http, stack, hookFirst ? "shop" : "shopnohook", hookFirst ? with : without);
          Thread.sleep(intervalMs / 2);
          acquireOnce(http, stack, hookFirst ? "shopnohook" : "shop", hookFirst ? without : with);
          Thread.sleep(intervalMs / 2);
        }
        with.stop();
        without.stop();
        System.out.printf("load %s after the run%n", LocalStack.load());
        with.print(System.out);
        without.print(System.out);
        hookFloor(http, store, 2 * rounds).print(System.out);
        for (Stats f : Floor.floor(store, stack.natsUrl(), 2000)) {
          f.print(System.out);
        }
        System.out.println(
            "server-side stages (count, p50/p90/p99 ms; the measured rounds' acquires only):");
        ServerStages.read(stack.poolPort(), ServerStages.POOL).since(stagesBefore).printQuantiles();
      }
    }
  }

  /** One acquire of {@code template}, timed into {@code into}; released right after. */
  private static void acquireOnce(HttpClient http, LocalStack stack, String template, Stats into)
      throws Exception {
    long s = System.nanoTime();
    Map.Entry<Integer, JsonNode> r = Visitor.acquire(http, stack.gatewayPort(), template);
    long took = System.nanoTime() - s;
    if (r.getKey() != 201) {
      into.error();
      return;
    }
    into.record(took);
    String id = r.getValue().path("id").asText();
    String token = r.getValue().path("access_token").asText();
    Visitor.releaseLater(http, stack.gatewayPort(), id, token);
  }

  /** The hook alone: a signed POST from this JVM to a ready shop instance, fresh claim ids. */
  static Stats hookFloor(HttpClient http, Store store, int n) throws Exception {
    Instance i =
        store.instances(InstanceState.READY).stream()
            .filter(x -> "shop".equals(x.template()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no ready shop instance"));
    Stats floor = new Stats("floor: the hook's POST alone (signed, SQLite write)");
    URI uri = URI.create("http://127.0.0.1:" + i.port() + "/_trynow/claim");
    for (int k = 0; k < n + n / 5; k++) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("instance_id", i.id());
      body.put("public_url", "http://" + i.id() + ".demo.localhost:8888/");
      body.put("claim_id", "bench-" + k);
      body.put("fields", Map.of());
      byte[] json = Json.write(body);
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(5))
              .header("Content-Type", "application/json")
              .header(HookSignature.HEADER, HookSignature.of(SECRET, json))
              .POST(HttpRequest.BodyPublishers.ofByteArray(json))
              .build();
      long s = System.nanoTime();
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (k == n / 5) {
        floor.start();
      }
      if (status != 200) {
        floor.error();
      } else if (k >= n / 5) {
        floor.record(System.nanoTime() - s);
      }
    }
    floor.stop();
    return floor;
  }

  /** The shop template from its file twice (with and without the hook), pools of {@code ready}. */
  static Map<String, String> env(Path root, int ready) throws Exception {
    Map<String, String> env = new LinkedHashMap<>(CrowdBench.env(0, 0, 1));
    Properties shop = new Properties();
    try (var in =
        Files.newBufferedReader(
            root.resolve("samples/shop/template.properties"), StandardCharsets.UTF_8)) {
      shop.load(in);
    }
    for (String k : shop.stringPropertyNames()) {
      String v = shop.getProperty(k);
      env.put(k, v);
      if (!k.contains(".hook.") && !k.contains(".fields.")) {
        env.put(k.replace("templates.shop.", "templates.shopnohook."), v);
      }
    }
    for (String t : new String[] {"shop", "shopnohook"}) {
      env.put("trynow.templates." + t + ".min-ready", String.valueOf(ready));
      env.put("trynow.templates." + t + ".max-total", String.valueOf(ready + 6));
      env.put("trynow.templates." + t + ".max-in-flight", "3");
    }
    env.put("trynow.templates.shop.hook.secret", SECRET);
    env.put("TRYNOW_SHOP_HOOK_SECRET", SECRET);
    return env;
  }
}
