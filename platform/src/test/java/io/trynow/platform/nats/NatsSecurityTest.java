package io.trynow.platform.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad NATS credentials or TLS settings stop the start with a message naming the key. */
class NatsSecurityTest {

  private static NatsSecurity of(Map<String, String> values) {
    return NatsSecurity.from(NatsConfigs.of(values));
  }

  @Test
  void noSettingsMeanNoAuthAndNoTls() {
    NatsSecurity s = of(Map.of());
    assertThat(s.auth()).isEqualTo("none");
    assertThat(s.tls()).isEqualTo("off");
  }

  @Test
  void oneWayToAuthenticate(@TempDir Path dir) throws IOException {
    Path creds = Files.writeString(dir.resolve("u.creds"), "x");
    assertThat(of(Map.of("trynow.nats.creds-file", creds.toString())).auth())
        .isEqualTo("creds-file");
    assertThat(of(Map.of("trynow.nats.user", "u", "trynow.nats.password", "p")).auth())
        .isEqualTo("user");
    assertThat(of(Map.of("trynow.nats.token", "t")).auth()).isEqualTo("token");
    assertThatThrownBy(
            () -> of(Map.of("trynow.nats.creds-file", creds.toString(), "trynow.nats.token", "t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trynow.nats.token")
        .hasMessageContaining("one way to authenticate");
  }

  @Test
  void aUserNeedsAPassword() {
    assertThatThrownBy(() -> of(Map.of("trynow.nats.user", "u")))
        .hasMessageContaining("trynow.nats.password");
    assertThatThrownBy(() -> of(Map.of("trynow.nats.password", "p")))
        .hasMessageContaining("trynow.nats.user");
  }

  @Test
  void missingFilesAreNamed(@TempDir Path dir) {
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(() -> of(Map.of("trynow.nats.creds-file", missing)))
        .hasMessageContaining("trynow.nats.creds-file")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> of(Map.of("trynow.nats.nkey-file", missing)))
        .hasMessageContaining("trynow.nats.nkey-file");
    assertThatThrownBy(() -> of(Map.of("trynow.nats.tls.ca-file", missing)))
        .hasMessageContaining("trynow.nats.tls.ca-file");
  }

  @Test
  void aClientCertificateNeedsItsKeyAndValidPem(@TempDir Path dir) throws IOException {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
    assertThatThrownBy(() -> of(Map.of("trynow.nats.tls.cert-file", junk.toString())))
        .hasMessageContaining("trynow.nats.tls.key-file");
    assertThatThrownBy(() ->
            of(
                Map.of(
                    "trynow.nats.tls.cert-file", junk.toString(),
                    "trynow.nats.tls.key-file", junk.toString())))
        .hasMessageContaining("trynow.nats.tls.cert-file");
  }
}
