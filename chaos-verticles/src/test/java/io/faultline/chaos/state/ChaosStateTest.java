package io.faultline.chaos.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import org.junit.jupiter.api.Test;

class ChaosStateTest {

  private static ChaosConfig config(String json) {
    return ChaosJson.parse(json, ChaosConfig.class, "");
  }

  @Test
  void stoppingAScenarioTheConfigStartedKeepsTheRestOfTheConfig() {
    ChaosState state = new ChaosState(config("""
        {"enabled": true, "seed": 7, "scenario": "slow_backend",
         "rules": [{"name": "r", "match": {"path": "/x"}, "latency": {"fixed_delay_ms": 1}}]}"""), System::nanoTime, 1);
    assertThat(state.config().latency().fixedDelayMs()).isEqualTo(2_000);
    state.stopScenario();
    assertThat(state.scenario()).isNull();
    assertThat(state.config().enabled()).isTrue();
    assertThat(state.config().seed()).isEqualTo(7);
    assertThat(state.config().rules()).hasSize(1);
    assertThat(state.config().latency()).as("the scenario's sections are gone").isNull();
  }

  @Test
  void startingThenStoppingRestoresThePreviousConfigAndVersionsGrow() {
    ChaosState state = new ChaosState(config("{\"enabled\": false, \"latency\": {\"fixed_delay_ms\": 5}}"), System::nanoTime, 1);
    long version = state.version();
    state.startScenario("peak_traffic");
    assertThat(state.config().enabled()).isTrue();
    state.stopScenario();
    assertThat(state.config().enabled()).isFalse();
    assertThat(state.config().latency().fixedDelayMs()).isEqualTo(5);
    assertThat(state.version()).isEqualTo(version + 2);
  }

  @Test
  void aRejectedChangeLeavesEverythingAsItWas() {
    ChaosState state = new ChaosState(ChaosConfig.off(), System::nanoTime, 1);
    long version = state.version();
    assertThatThrownBy(() -> state.set(config("{\"scenario\": \"nope\"}"))).isInstanceOf(ChaosConfigException.class);
    assertThatThrownBy(() -> state.startScenario("nope")).isInstanceOf(ChaosState.NotFound.class);
    assertThat(state.version()).isEqualTo(version);
  }
}
