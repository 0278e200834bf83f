package io.trynow.platform.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.NKey;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's NATS connection against a real nats-server that requires TLS with client
 * certificates and one of its users (a user with a password, an NKey user): the right settings
 * connect; a wrong password, a missing client certificate or an unknown CA leave the client
 * disconnected with the reason in {@link NatsClient#lastError()} (what readiness shows).
 */
class NatsSecureIT {

  private static final String USER = "svc";
  private static final String PASSWORD = "s3cret-password";
  private static TlsFiles tls;
  private static NatsServer nats;
  private static Path seedFile;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsFiles.create();
    NKey nkey = NKey.createUser(null);
    seedFile = Files.createTempFile("trynow-nkey-", ".seed");
    Files.writeString(seedFile, new String(nkey.getSeed()));
    nats =
        new NatsServer(
            new NatsServer.Security(
                tls,
                true,
                NatsServer.Auth.user(USER, PASSWORD)
                    .and(NatsServer.Auth.nkey(new String(nkey.getPublicKey())))));
    nats.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (nats != null) {
      nats.close();
    }
    Files.deleteIfExists(seedFile);
  }

  private static Map<String, String> mutualTls() {
    Map<String, String> m = new HashMap<>();
    m.put("trynow.nats.url", nats.url());
    m.put("trynow.nats.connect-timeout", "5s");
    m.put("trynow.nats.tls.ca-file", tls.ca().toString());
    m.put("trynow.nats.tls.cert-file", tls.clientCert().toString());
    m.put("trynow.nats.tls.key-file", tls.clientKey().toString());
    return m;
  }

  private static NatsClient client(Map<String, String> settings) throws Exception {
    NatsClient c = new NatsClient(NatsConfigs.of(settings), "nats-secure-it");
    c.onStart(null);
    return c;
  }

  @Test
  void aUserWithPasswordOverMutualTlsConnects() throws Exception {
    Map<String, String> s = mutualTls();
    s.put("trynow.nats.user", USER);
    s.put("trynow.nats.password", PASSWORD);
    NatsClient c = client(s);
    try {
      assertThat(c.connection(Duration.ofSeconds(20)).getConnectedUrl()).startsWith("tls://");
      assertThat(c.isConnected()).isTrue();
      assertThat(c.security().auth()).isEqualTo("user");
      assertThat(c.security().tls()).isEqualTo("mutual");
    } finally {
      c.onStop(null);
    }
  }

  @Test
  void anNkeyUserOverMutualTlsConnects() throws Exception {
    Map<String, String> s = mutualTls();
    s.put("trynow.nats.nkey-file", seedFile.toString());
    NatsClient c = client(s);
    try {
      assertThat(c.connection(Duration.ofSeconds(20))).isNotNull();
      assertThat(c.security().auth()).isEqualTo("nkey-file");
    } finally {
      c.onStop(null);
    }
  }

  @Test
  void aWrongPasswordIsAnAuthorizationViolation() throws Exception {
    Map<String, String> s = mutualTls();
    s.put("trynow.nats.user", USER);
    s.put("trynow.nats.password", "wrong");
    assertStaysDownWith(s, "Authorization Violation");
  }

  @Test
  void withoutACredentialTheServerRefuses() throws Exception {
    assertStaysDownWith(mutualTls(), "Authorization Violation");
  }

  @Test
  void withoutAClientCertificateTheHandshakeFails() throws Exception {
    Map<String, String> s = mutualTls();
    s.remove("trynow.nats.tls.cert-file");
    s.remove("trynow.nats.tls.key-file");
    s.put("trynow.nats.user", USER);
    s.put("trynow.nats.password", PASSWORD);
    assertStaysDownWith(s, "");
  }

  @Test
  void aServerSignedByAnotherCaIsNotTrusted() throws Exception {
    Map<String, String> s = mutualTls();
    s.put("trynow.nats.tls.ca-file", TlsFiles.create("another-ca").ca().toString());
    s.put("trynow.nats.user", USER);
    s.put("trynow.nats.password", PASSWORD);
    assertStaysDownWith(s, "");
  }

  private static void assertStaysDownWith(Map<String, String> settings, String expected)
      throws Exception {
    NatsClient c = client(settings);
    try {
      // Attempts repeat; an attempt may also time out on a loaded machine before the server's
      // answer, so the reason is awaited, not taken from the first failure.
      await("the client reports why it cannot connect: " + expected)
          .atMost(Duration.ofSeconds(30))
          .until(() -> c.lastError() != null && c.lastError().contains(expected));
      assertThat(c.isConnected()).isFalse();
    } finally {
      c.onStop(null);
    }
  }
}
