package io.trynow.platform.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointsTest {

  static final String ID = "iabcdefghijklmnopqrs";

  record Config(
      String publicScheme,
      String demoDomain,
      int publicPort,
      String caddyListenHost,
      int caddyHttpPort,
      String instanceHost,
      String publishHost)
      implements EndpointsConfig {

    static Config local() {
      return new Config(
          "http", "demo.localhost", 8088, "127.0.0.1", 8088, "127.0.0.1", "127.0.0.1");
    }

    Config with(String key, String value) {
      return switch (key) {
        case "scheme" ->
            new Config(
                value,
                demoDomain,
                publicPort,
                caddyListenHost,
                caddyHttpPort,
                instanceHost,
                publishHost);
        case "domain" ->
            new Config(
                publicScheme,
                value,
                publicPort,
                caddyListenHost,
                caddyHttpPort,
                instanceHost,
                publishHost);
        case "port" ->
            new Config(
                publicScheme,
                demoDomain,
                Integer.parseInt(value),
                caddyListenHost,
                caddyHttpPort,
                instanceHost,
                publishHost);
        case "listen" ->
            new Config(
                publicScheme,
                demoDomain,
                publicPort,
                value,
                caddyHttpPort,
                instanceHost,
                publishHost);
        case "instance" ->
            new Config(
                publicScheme,
                demoDomain,
                publicPort,
                caddyListenHost,
                caddyHttpPort,
                value,
                publishHost);
        default -> throw new IllegalArgumentException(key);
      };
    }
  }

  @Test
  void localDefaultsGiveTheLocalStacksUrls() {
    Endpoints e = Endpoints.from(Config.local());
    assertThat(e.publicUrl(ID)).isEqualTo("http://" + ID + ".demo.localhost:8088");
    assertThat(e.demoHost(ID)).isEqualTo(ID + ".demo.localhost");
    assertThat(e.caddyListen()).isEqualTo("127.0.0.1:8088");
    assertThat(e.upstream(20001)).isEqualTo("127.0.0.1:20001");
    assertThat(e.instanceUri(20001, "healthz")).hasToString("http://127.0.0.1:20001/healthz");
    assertThat(e.instanceUri(20001, "/")).hasToString("http://127.0.0.1:20001/");
  }

  @Test
  void productionUrlLeavesOutTheSchemesDefaultPort() {
    Endpoints e =
        Endpoints.from(
            Config.local()
                .with("scheme", "https")
                .with("domain", "demos.example.com")
                .with("port", "443")
                .with("listen", "0.0.0.0")
                .with("instance", "docker-1.internal"));
    assertThat(e.publicUrl(ID)).isEqualTo("https://" + ID + ".demos.example.com");
    assertThat(e.caddyListen()).isEqualTo("0.0.0.0:8088");
    assertThat(e.upstream(20001)).isEqualTo("docker-1.internal:20001");
    assertThat(Endpoints.from(Config.local().with("port", "80")).publicUrl(ID))
        .isEqualTo("http://" + ID + ".demo.localhost");
    assertThat(Endpoints.from(Config.local().with("scheme", "https")).publicUrl(ID))
        .endsWith(":8088");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("scheme", "ftp")))
        .hasMessageContaining("trynow.endpoints.public-scheme");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("domain", "Demo.Example.com")))
        .hasMessageContaining("trynow.endpoints.demo-domain");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("domain", "a..b")))
        .hasMessageContaining("trynow.endpoints.demo-domain");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("port", "70000")))
        .hasMessageContaining("trynow.endpoints.public-port");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("instance", "http://x")))
        .hasMessageContaining("trynow.endpoints.instance-host");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("instance", "127.0.0.1:80")))
        .hasMessageContaining("trynow.endpoints.instance-host");
    assertThatThrownBy(() -> Endpoints.from(Config.local().with("listen", "")))
        .hasMessageContaining("trynow.endpoints.caddy-listen-host");
  }

  @Test
  void aBadInstanceIdNeverBecomesAUrl() {
    Endpoints e = Endpoints.from(Config.local());
    assertThatThrownBy(() -> e.publicUrl("evil.example.com/x"))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> e.upstream(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachDockerHostsInstancesAreReachedOnItsRegistryAddress() {
    Endpoints e = Endpoints.from(Config.local(), Map.of("h1", "127.0.0.2", "h2", "127.0.0.3"));
    assertThat(e.upstream("h1", 20001)).isEqualTo("127.0.0.2:20001");
    assertThat(e.upstream("h2", 20001)).isEqualTo("127.0.0.3:20001");
    assertThat(e.upstream(null, 20001)).isEqualTo("127.0.0.1:20001");
    assertThat(e.upstream(20001)).isEqualTo("127.0.0.1:20001");
    assertThat(e.instanceUri("h2", 20002, "/healthz").toString())
        .isEqualTo("http://127.0.0.3:20002/healthz");
    assertThat(e.publishHost("h1")).isEqualTo("127.0.0.2");
    assertThat(e.publishHost(null)).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> Endpoints.from(Config.local(), Map.of("h1", "a b")))
        .hasMessageContaining("trynow.hosts.h1.address");
  }
}
