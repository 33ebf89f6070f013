package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SharedChaosTest {

  @Test
  void aStoredStateReadsBackAsItWas() {
    ChaosState.Replica replica = new ChaosState.Replica(ChaosConfig.off().withEnabled(true).withSeed(7L), null, null, 42);
    assertThat(SharedChaos.decode(SharedChaos.encode(replica))).isEqualTo(replica);
  }

  @Test
  void absurdVersionsAreNotBelieved() {
    for (Object version : new Object[] {9_200_000_000_000_000_000L, 0, -3, 1.5, "7", null}) {
      String text = new JsonObject().put("version", version).put("config", new JsonObject()).encode();
      assertThatThrownBy(() -> SharedChaos.decode(text)).as(String.valueOf(version))
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("version"));
    }
  }

  @Test
  void aConfigIsCheckedAsAPutWouldBe() {
    String text = new JsonObject().put("version", 3)
        .put("config", new JsonObject().put("latency", new JsonObject().put("probability", 7))).encode();
    assertThatThrownBy(() -> SharedChaos.decode(text))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("config.latency.probability"));
    assertThatThrownBy(() -> SharedChaos.decode("{\"version\": 3}"))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("config"));
    assertThatThrownBy(() -> SharedChaos.decode("not json")).isInstanceOf(ChaosConfigException.class);
  }
}
