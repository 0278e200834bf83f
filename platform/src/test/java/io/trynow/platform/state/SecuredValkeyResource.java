package io.trynow.platform.state;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.TlsFiles;
import io.trynow.testsupport.ValkeySentinels;
import io.trynow.testsupport.ValkeyServer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Quarkus test resource: real NATS and a secured Valkey, and the service pointed at them with the
 * documented settings ({@code quarkus.redis.*}, {@code quarkus.tls.valkey.*}, {@code
 * trynow.valkey.*}). The init arg {@code mode} picks the case:
 *
 * <ul>
 *   <li>{@code tls-acl}: TLS-only Valkey (mutual TLS), a default-user password and a
 *       least-privilege ACL user; the service logs in as that user (user in the URL, password in
 *       {@code quarkus.redis.password}).
 *   <li>{@code wrong-password}: the same server, the service with a wrong password.
 *   <li>{@code tls-mismatch}: the same server, the service trusting another CA.
 *   <li>{@code unreachable}: nothing listens where the service looks.
 *   <li>{@code sentinel}: primary + two replicas + three sentinels, all TLS-only, ACL user; the
 *       service finds the primary through the sentinels and waits for one replica on every change.
 * </ul>
 */
public class SecuredValkeyResource implements QuarkusTestResourceLifecycleManager {

  static final String USER = "trynow-store";
  static final String PASSWORD = "store-secret";
  static final String DEFAULT_PASSWORD = "default-secret";

  private static volatile ValkeyServer valkey;
  private static volatile ValkeySentinels sentinels;
  private static volatile String prefix;

  private String mode;
  private NatsServer nats;

  @Override
  public void init(Map<String, String> initArgs) {
    mode = initArgs.getOrDefault("mode", "tls-acl");
  }

  /** The Sentinel topology ({@code sentinel} mode). */
  static ValkeySentinels sentinels() {
    return sentinels;
  }

  /** The server ({@code tls-acl} and the failure modes). */
  static ValkeyServer valkey() {
    return valkey;
  }

  static String prefix() {
    return prefix;
  }

  @Override
  public Map<String, String> start() {
    nats = (NatsServer) new NatsServer().start();
    prefix = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Map<String, String> config = new HashMap<>();
    config.put("trynow.nats.url", nats.url());
    config.put("trynow.valkey.prefix", prefix);
    String rules =
        "~{" + prefix + "}:* -@all +@read +@write +@scripting +@connection +ping +wait -@dangerous";
    ValkeyServer.Options options =
        new ValkeyServer.Options().password(DEFAULT_PASSWORD).aclUser(USER, PASSWORD, rules);
    TlsFiles tls = TlsFiles.create();
    if (mode.equals("sentinel")) {
      // the sentinels and replication need more than the store does
      options.aclUser(USER, PASSWORD, "~* &* +@all").tls(tls);
      sentinels = ValkeySentinels.start(3, 2, options);
      config.put("quarkus.redis.hosts", String.join(",", sentinels.sentinelUrls()));
      config.put("quarkus.redis.client-type", "sentinel");
      config.put("quarkus.redis.master-name", sentinels.masterName());
      config.put("trynow.valkey.user", USER);
      config.put("quarkus.redis.password", PASSWORD);
      config.put("trynow.valkey.wait-replicas", "1");
      config.put("trynow.valkey.timeout", "3s");
      tlsConfig(config, tls);
      return config;
    }
    valkey = new ValkeyServer(options.tls(tls));
    valkey.start();
    String password = mode.equals("wrong-password") ? "not-" + PASSWORD : PASSWORD;
    TlsFiles trusted = mode.equals("tls-mismatch") ? TlsFiles.create("some-other-ca") : tls;
    int port = mode.equals("unreachable") ? FreePorts.one() : valkey.port();
    config.put("quarkus.redis.hosts", "rediss://127.0.0.1:" + port);
    config.put("trynow.valkey.user", USER);
    config.put("quarkus.redis.password", password);
    tlsConfig(config, trusted);
    return config;
  }

  /** The named TLS configuration {@code valkey}: trust the CA, present the client certificate. */
  private static void tlsConfig(Map<String, String> config, TlsFiles files) {
    config.put("quarkus.redis.tls-configuration-name", "valkey");
    config.put("quarkus.tls.valkey.trust-store.pem.certs", files.ca().toString());
    config.put("quarkus.tls.valkey.key-store.pem.client.cert", files.clientCert().toString());
    config.put("quarkus.tls.valkey.key-store.pem.client.key", files.clientKey().toString());
    config.put("quarkus.tls.valkey.hostname-verification-algorithm", "HTTPS");
  }

  @Override
  public void stop() {
    if (sentinels != null) {
      sentinels.close();
      sentinels = null;
    }
    if (valkey != null) {
      valkey.close();
      valkey = null;
    }
    if (nats != null) {
      nats.close();
    }
  }
}
