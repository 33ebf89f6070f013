package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes discovery looks at the endpoints of Faultline's own headless Service: with none named,
 * Hazelcast took every pod of the namespace for a member and sent its member handshake to each one's port
 * (the services under test among them).
 */
class HazelcastSetupTest {

  @Test
  void kubernetesDiscoveryIsLimitedToTheServiceNamed() {
    ClusterConfig cluster = ChaosJson.convert(Map.of("enabled", true, "kubernetes", true, "kubernetes_service", "faultline-hazelcast"),
        ClusterConfig.class, "cluster");
    var kubernetes = HazelcastSetup.config(cluster).getNetworkConfig().getJoin().getKubernetesConfig();
    assertThat(kubernetes.isEnabled()).isTrue();
    assertThat(kubernetes.getProperty("service-name")).isEqualTo("faultline-hazelcast");
  }

  @Test
  void kubernetesDiscoveryWithoutAServiceIsRefusedNamingTheField() {
    assertThatThrownBy(() -> ChaosJson.convert(Map.of("enabled", true, "kubernetes", true), ClusterConfig.class, "cluster"))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("cluster.kubernetes_service"))
        .hasMessageContaining("is required with kubernetes: true");
    assertThatThrownBy(() -> ChaosJson.convert(Map.of("kubernetes_service", "x"), ClusterConfig.class, "cluster"))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("cluster.kubernetes_service"))
        .hasMessageContaining("is used only with kubernetes: true");
  }

  @Test
  void forgetAfterMsOutsideItsRangeIsRefusedNamingTheField() {
    for (Object bad : java.util.List.of(999, 604_800_001L, "15m")) {
      assertThatThrownBy(() -> ChaosJson.convert(Map.of("forget_after_ms", bad), ClusterConfig.class, "cluster"))
          .as(String.valueOf(bad))
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("cluster.forget_after_ms"));
    }
    assertThat(ChaosJson.convert(Map.of(), ClusterConfig.class, "cluster").forgetAfterMs()).as("the default").isEqualTo(900_000L);
  }
}
