package io.trynow.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.Ids;
import io.trynow.model.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Images are pinned: a template with a mutable image never becomes a container. */
class ContainerSpecTest {

  private final String id = Ids.newInstanceId();

  private ContainerSpec spec(FixedTemplate t) {
    return ContainerSpec.forInstance(id, "hello", t, 20001, "trynow-x", "127.0.0.1");
  }

  @Test
  void hostModeTellsTheAppItsPortAndCarriesAllOwnershipLabels() {
    ContainerSpec s = spec(FixedTemplate.of("trynow/sample-hello:1").withEnv(Map.of("A", "b")));
    assertThat(s.name()).isEqualTo("trynow-" + id);
    assertThat(s.env()).containsEntry("PORT", "20001").containsEntry("A", "b");
    assertThat(s.labels())
        .containsEntry(Labels.MANAGED, "true")
        .containsEntry(Labels.INSTANCE, id)
        .containsEntry(Labels.TEMPLATE, "hello")
        .containsEntry(Labels.CLUSTER, "trynow-x");
    assertThat(s.memoryBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(s.nanoCpus()).isEqualTo(500_000_000L);
    assertThat(s.networkMode()).isEqualTo(ContainerSpec.NetworkMode.HOST);
  }

  @Test
  void everyContainerIsToldItsIdentityAndTheTemplateCannotOverrideIt() {
    String url = "https://" + id + ".demo.example.com";
    assertThatThrownBy(() ->
            ContainerSpec.forInstance(
                id,
                "hello",
                FixedTemplate.of("trynow/sample-hello:1")
                    .withEnv(Map.of("TRYNOW_INSTANCE_ID", "forged")),
                20001,
                "trynow-x",
                "127.0.0.1",
                url))
        .isInstanceOf(InvalidTemplateException.class)
        .hasMessageContaining("trynow.templates.hello.env.TRYNOW_INSTANCE_ID");
    ContainerSpec s =
        ContainerSpec.forInstance(
            id,
            "hello",
            FixedTemplate.of("trynow/sample-hello:1").withEnv(Map.of("GREETING", "hi")),
            20001,
            "trynow-x",
            "127.0.0.1",
            url);
    assertThat(s.env())
        .containsEntry(ContainerSpec.ENV_INSTANCE_ID, id)
        .containsEntry(ContainerSpec.ENV_TEMPLATE, "hello")
        .containsEntry(ContainerSpec.ENV_PUBLIC_URL, url)
        .containsEntry("PORT", "20001")
        .containsEntry("GREETING", "hi");
    assertThat(spec(FixedTemplate.of("trynow/sample-hello:1")).env())
        .containsEntry(ContainerSpec.ENV_INSTANCE_ID, id)
        .doesNotContainKey(ContainerSpec.ENV_PUBLIC_URL);
  }

  @Test
  void bridgeModeTellsTheAppItsContainerPort() {
    ContainerSpec s = spec(FixedTemplate.of("x/y:2").withNetworkMode("bridge"));
    assertThat(s.networkMode()).isEqualTo(ContainerSpec.NetworkMode.BRIDGE);
    assertThat(s.env()).containsEntry("PORT", "8080").containsEntry("BIND", "0.0.0.0");
    assertThat(s.hostPort()).isEqualTo(20001);
  }

  @Test
  void imagesMustBePinned() {
    assertThatThrownBy(() -> spec(FixedTemplate.of("nginx")))
        .isInstanceOf(InvalidTemplateException.class)
        .hasMessageContaining("trynow.templates.hello.image");
    assertThatThrownBy(() -> spec(FixedTemplate.of("nginx:latest")))
        .isInstanceOf(InvalidTemplateException.class)
        .hasMessageContaining(":latest");
    assertThatThrownBy(() -> spec(FixedTemplate.of("localhost:5000/nginx")))
        .isInstanceOf(InvalidTemplateException.class);
    assertThat(spec(FixedTemplate.of("localhost:5000/nginx:1.27")).image())
        .isEqualTo("localhost:5000/nginx:1.27");
    String digest = "nginx@sha256:" + "a".repeat(64);
    assertThat(spec(FixedTemplate.of(digest)).image()).isEqualTo(digest);
  }

  @Test
  void badNetworkModeAndEnvNamesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> spec(FixedTemplate.of("x/y:1").withNetworkMode("overlay")))
        .isInstanceOf(InvalidTemplateException.class)
        .hasMessageContaining("trynow.templates.hello.network-mode");
    assertThatThrownBy(() -> spec(FixedTemplate.of("x/y:1").withEnv(Map.of("A=B", "c"))))
        .isInstanceOf(InvalidTemplateException.class)
        .hasMessageContaining("env.A=B");
  }
}
