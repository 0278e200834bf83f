package io.trynow.platform.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.platform.docker.DockerSettings;
import io.trynow.platform.state.HostSlot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostRegistryTest {

  private static final DockerSettings LOCAL =
      new DockerSettings(
          "unix:///var/run/docker.sock",
          false,
          Optional.empty(),
          Optional.empty(),
          8,
          Duration.ofSeconds(1),
          Duration.ofSeconds(5));

  record Host(
      String engine,
      Optional<String> certPath,
      Optional<Boolean> tlsVerify,
      String address,
      int capacity,
      Map<String, String> labels)
      implements HostsConfig.Host {}

  static HostsConfig config(Map<String, HostsConfig.Host> hosts) {
    return () -> hosts;
  }

  static Host host(String engine, String address, int capacity, Map<String, String> labels) {
    return new Host(engine, Optional.empty(), Optional.empty(), address, capacity, labels);
  }

  @Test
  void noHostConfiguredIsOneLocalHostOnTheDockerSettings() {
    HostRegistry r = HostRegistry.from(config(Map.of()), LOCAL, "127.0.0.1");
    assertThat(r.hosts()).hasSize(1);
    DockerHost h = r.defaultHost();
    assertThat(h.name()).isEqualTo(HostRegistry.LOCAL);
    assertThat(h.engine()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(h.address()).isEqualTo("127.0.0.1");
    assertThat(r.hostOf(null)).contains(h);
    assertThat(r.candidates(Map.of())).containsExactly(new HostSlot("local", 100_000));
  }

  @Test
  void candidatesAreTheHostsWhoseLabelsMatchTheTemplatesPlacement() {
    Map<String, HostsConfig.Host> hosts = new LinkedHashMap<>();
    hosts.put("h2", host("unix:///tmp/b.sock", "127.0.0.3", 5, Map.of("disk", "hdd")));
    hosts.put("h1", host("tcp://10.1.0.1:2376", "10.1.0.1", 3, Map.of("disk", "ssd", "zone", "a")));
    HostRegistry r = HostRegistry.from(config(hosts), LOCAL, "127.0.0.1");
    assertThat(r.hosts()).extracting(DockerHost::name).containsExactly("h1", "h2");
    assertThat(r.candidates(Map.of()))
        .containsExactly(new HostSlot("h1", 3), new HostSlot("h2", 5));
    assertThat(r.candidates(Map.of("disk", "ssd"))).containsExactly(new HostSlot("h1", 3));
    assertThat(r.candidates(Map.of("disk", "nvme"))).isEmpty();
    assertThat(r.hostOf(null).map(DockerHost::name)).contains("h1");
    assertThat(r.hostOf("h9")).isEmpty();
  }

  @Test
  void badHostsFailNamingTheKey() {
    assertThatThrownBy(() ->
            HostRegistry.from(
                config(Map.of("h1", host("http://x", "127.0.0.2", 1, Map.of()))), LOCAL, "x"))
        .hasMessageContaining("trynow.hosts.h1.engine");
    assertThatThrownBy(() ->
            HostRegistry.from(
                config(Map.of("h1", host("unix:///s", "127.0.0.2:80", 1, Map.of()))), LOCAL, "x"))
        .hasMessageContaining("trynow.hosts.h1.address");
    assertThatThrownBy(() ->
            HostRegistry.from(
                config(Map.of("H_1", host("unix:///s", "127.0.0.2", 1, Map.of()))), LOCAL, "x"))
        .hasMessageContaining("trynow.hosts.H_1");
    assertThatThrownBy(() ->
            HostRegistry.from(
                config(
                    Map.of(
                        "h1",
                        new Host(
                            "unix:///s",
                            Optional.of("/certs"),
                            Optional.empty(),
                            "127.0.0.2",
                            1,
                            Map.of()))),
                LOCAL,
                "x"))
        .hasMessageContaining("trynow.hosts.h1.tls-verify");
  }
}
