package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's secured Valkey (TLS, password, ACL user) and its Sentinel topology. */
class ValkeySecurityIT {

  @Test
  void tlsPasswordAndAclUserAreEnforced() throws IOException {
    TlsFiles tls = TlsFiles.create();
    ValkeyServer.Options options =
        new ValkeyServer.Options().tls(tls).password("default-pw").aclUser("store", "store-pw");
    try (ValkeyServer v = new ValkeyServer(options)) {
      v.start();
      assertThat(v.url()).startsWith("rediss://127.0.0.1:");
      assertThat(v.call("ACL", "WHOAMI")).isEqualTo("store");
      assertThat(v.command("SET k v")).isEqualTo("+OK");

      // plain TCP to the TLS port gets no answer
      RespProbe plain = new RespProbe("127.0.0.1", v.port(), null, "store", "store-pw");
      assertThatThrownBy(() -> plain.call("PING")).isInstanceOf(IOException.class);
      // a client of another CA is refused
      RespProbe stranger =
          new RespProbe(
              "127.0.0.1", v.port(), TlsFiles.create("other-ca").clientContext(), null, null);
      assertThatThrownBy(() -> stranger.call("PING")).isInstanceOf(IOException.class);
      // right CA, wrong password
      RespProbe wrong = new RespProbe("127.0.0.1", v.port(), tls.clientContext(), "store", "nope");
      assertThatThrownBy(() -> wrong.call("PING")).hasMessageContaining("WRONGPASS");
      // right CA, no AUTH
      RespProbe anonymous = new RespProbe("127.0.0.1", v.port(), tls.clientContext(), null, null);
      assertThat(anonymous.call("GET", "k")).asString().startsWith("-NOAUTH");
      // the default user with its password
      RespProbe dflt =
          new RespProbe("127.0.0.1", v.port(), tls.clientContext(), null, "default-pw");
      assertThat(dflt.call("GET", "k")).isEqualTo("v");
    }
  }

  @Test
  void sentinelFailsOverAKilledPrimaryToTheReplica() {
    try (ValkeySentinels s = ValkeySentinels.start(1)) {
      ValkeyServer first = s.primary();
      assertThat(first.command("SET k 1")).isEqualTo("+OK");
      assertThat(first.call("WAIT", "1", "5000")).isEqualTo(1L);

      ValkeyServer killed = s.killPrimary();
      ValkeyServer promoted = s.awaitFailover(Duration.ofSeconds(20));

      assertThat(killed).isSameAs(first);
      assertThat(promoted).isNotSameAs(first);
      assertThat(promoted.call("GET", "k")).isEqualTo("1");
      assertThat(promoted.command("SET k 2")).isEqualTo("+OK");
    }
  }

  @Test
  void threeSentinelsOverTlsAndAclFailOver() {
    ValkeyServer.Options options =
        new ValkeyServer.Options()
            .tls(TlsFiles.create())
            .aclUser("store", "store-pw")
            .password("pw");
    try (ValkeySentinels s = ValkeySentinels.start(3, options)) {
      assertThat(s.sentinelUrls()).hasSize(3).allMatch(u -> u.startsWith("rediss://"));
      ValkeyServer first = s.primary();
      s.killPrimary();
      ValkeyServer promoted = s.awaitFailover(Duration.ofSeconds(30));
      assertThat(promoted).isNotSameAs(first);
      assertThat(promoted.call("ROLE"))
          .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
          .first()
          .isEqualTo("master");
      for (SentinelServer sentinel : s.sentinels()) {
        assertThat(sentinel.primaryPort()).isEqualTo(promoted.port());
      }
      assertThat(List.of(first.isRunning(), promoted.isRunning())).containsExactly(false, true);
    }
  }
}
