package io.trynow.platform.nats;

import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * How a service authenticates to NATS and secures the connection, from {@link NatsConfig}: checked
 * once (every file readable, at most one way to authenticate, a certificate with its key) and
 * applied to the client's options. A bad combination is an {@link IllegalArgumentException} naming
 * the key, so the service does not start. PEM files in any usual form (PKCS#8, PKCS#1, SEC1) are
 * read with docker-java's BouncyCastle-based {@code CertificateUtils}, in {@link NatsTlsContext}: a
 * class of its own, loaded only when TLS is configured (see there why).
 */
public final class NatsSecurity {

  private static final String P = "trynow.nats.";

  private final NatsConfig config;
  private final String auth;
  private final SSLContext ssl;
  private final String tls;

  private NatsSecurity(NatsConfig config, String auth, SSLContext ssl, String tls) {
    this.config = config;
    this.auth = auth;
    this.ssl = ssl;
    this.tls = tls;
  }

  /**
   * Checks {@code c}.
   *
   * @throws IllegalArgumentException naming the first bad key
   */
  public static NatsSecurity from(NatsConfig c) {
    List<String> ways = new ArrayList<>();
    c.credsFile().ifPresent(f -> ways.add(readable("creds-file", f)));
    c.nkeyFile().ifPresent(f -> ways.add(readable("nkey-file", f)));
    if (c.user().isPresent() || c.password().isPresent()) {
      if (c.user().isEmpty() || c.password().isEmpty()) {
        throw bad(c.user().isEmpty() ? "user" : "password", "user and password go together");
      }
      ways.add("user");
    }
    c.token().ifPresent(t -> ways.add("token"));
    if (ways.size() > 1) {
      throw bad(ways.get(1), "set one way to authenticate, not all of " + ways);
    }
    String auth = ways.isEmpty() ? "none" : ways.get(0);
    NatsConfig.Tls t = c.tls();
    if (t.certFile().isPresent() != t.keyFile().isPresent()) {
      throw bad(
          t.certFile().isPresent() ? "tls.key-file" : "tls.cert-file",
          "a client certificate needs its key (tls.cert-file and tls.key-file go together)");
    }
    SSLContext ssl = null;
    String tls = "off";
    if (t.caFile().isPresent() || t.certFile().isPresent()) {
      ssl = NatsTlsContext.of(t);
      tls = t.certFile().isPresent() ? "mutual" : "server";
    }
    return new NatsSecurity(c, auth, ssl, tls);
  }

  /** Applies authentication and TLS to {@code b}. */
  public Options.Builder apply(Options.Builder b) {
    switch (auth) {
      case "creds-file" ->
          b.authHandler(Nats.credentials(config.credsFile().orElseThrow().toString()));
      case "nkey-file" ->
          b.authHandler(Nats.credentials(null, config.nkeyFile().orElseThrow().toString()));
      case "user" -> b.userInfo(config.user().orElseThrow(), config.password().orElseThrow());
      case "token" -> b.token(config.token().orElseThrow().toCharArray());
      default -> {}
    }
    if (ssl != null) {
      b.sslContext(ssl);
    }
    return b;
  }

  /**
   * How this service authenticates: {@code none}, {@code creds-file}, {@code nkey-file}, {@code
   * user}, {@code token}.
   */
  public String auth() {
    return auth;
  }

  /**
   * TLS: {@code off}, {@code server} (the server's CA) or {@code mutual} (with a client
   * certificate).
   */
  public String tls() {
    return tls;
  }

  static String read(String key, Path file) {
    readable(key, file);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw bad(key, "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String readable(String key, Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw bad(key, file + " is not a readable file");
    }
    return key;
  }

  static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("invalid configuration " + P + key + ": " + why);
  }

  /** For log lines and health data: never a secret. */
  @Override
  public String toString() {
    return "auth=" + auth + ", tls=" + tls;
  }
}
