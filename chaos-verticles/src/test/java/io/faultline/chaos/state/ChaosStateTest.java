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
  void ruleEditsAndAKillSwitchMadeWhileAScenarioRanOutliveItsStop() {
    ChaosState state = new ChaosState(config("""
        {"enabled": true, "seed": 7, "latency": {"fixed_delay_ms": 5},
         "rules": [{"name": "keep", "match": {"path": "/x"}, "latency": {"fixed_delay_ms": 1}}]}"""), System::nanoTime, 1);
    state.startScenario("slow_backend");
    state.enable(false);
    state.removeRule("keep");
    state.putRule(ChaosJson.parse("{\"name\": \"during\", \"latency\": {\"fixed_delay_ms\": 2}}",
        io.faultline.chaos.config.ChaosRule.class, ""));
    state.stopScenario();
    assertThat(state.config().enabled()).as("the kill switch pressed during the scenario stays pressed").isFalse();
    assertThat(state.config().rules()).extracting(r -> r.name()).containsExactly("during");
    assertThat(state.config().latency().fixedDelayMs()).as("the sections come back").isEqualTo(5);
    assertThat(state.config().seed()).isEqualTo(7);
  }

  @Test
  void aRejectedChangeLeavesEverythingAsItWas() {
    ChaosState state = new ChaosState(ChaosConfig.off(), System::nanoTime, 1);
    long version = state.version();
    assertThatThrownBy(() -> state.set(config("{\"scenario\": \"nope\"}"))).isInstanceOf(ChaosConfigException.class);
    assertThatThrownBy(() -> state.startScenario("nope")).isInstanceOf(ChaosState.NotFound.class);
    assertThat(state.version()).isEqualTo(version);
  }

  @Test
  void anotherNodesStateWaitsWhileALocalChangeIsOnItsWayToTheCluster() {
    ChaosState state = new ChaosState(ChaosConfig.off(), System::nanoTime, 1);
    java.util.List<ChaosState.Replica[]> handed = new java.util.ArrayList<>();
    state.replicateTo((base, replica) -> handed.add(new ChaosState.Replica[] {base, replica}));
    state.enable(true);
    assertThat(handed).hasSize(1);
    assertThat(handed.get(0)[0].config().enabled()).as("the state the change was made on").isFalse();
    assertThat(handed.get(0)[1].config().enabled()).isTrue();
    // Another node's state of the same version arrives first: taking it would drop the local change until its merge came back.
    ChaosState.Replica theirs = new ChaosState.Replica(config("{\"latency\": {\"fixed_delay_ms\": 3}}"), null, null, state.version());
    assertThat(state.adopt(theirs)).isFalse();
    assertThat(state.config().enabled()).isTrue();
    ChaosState.Replica merged = new ChaosState.Replica(config("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 3}}"), null, null,
        state.version() + 1);
    assertThat(state.shared(merged)).isTrue();
    assertThat(state.config()).isEqualTo(merged.config());
    assertThat(state.adopt(new ChaosState.Replica(ChaosConfig.off(), null, null, state.version() + 1))).as("nothing on its way now").isTrue();
  }

  /**
   * A cluster whose store fails at once answers before the change's maker asks whether it was stored: the maker
   * still hears it was not, and a later change that is stored (with the failed one before it) is not told otherwise.
   */
  @Test
  void aStoreThatFailsBeforeTheMakerAsksIsStillSaidToHaveFailed() {
    ChaosState state = new ChaosState(ChaosConfig.off(), System::nanoTime, 1);
    boolean[] failing = {true};
    state.replicateTo((base, replica) -> {
      if (failing[0]) {
        state.notShared(new IllegalStateException("the map is down"));
      } else {
        state.shared(replica);
      }
    });
    long before = state.handed();
    state.enable(true);
    assertThat(state.replicatedSince(before).toCompletableFuture())
        .failsWithin(java.time.Duration.ZERO).withThrowableThat().havingCause()
        .isInstanceOf(ChaosState.NotShared.class).withMessage("the map is down");
    long second = state.handed();
    assertThat(state.replicatedSince(second).toCompletableFuture()).as("nothing made since: nothing to fail").isCompleted()
        .isNotCompletedExceptionally();
    failing[0] = false;
    state.enable(false);
    assertThat(state.replicatedSince(second).toCompletableFuture()).as("stored, with the one that failed first")
        .isCompleted().isNotCompletedExceptionally();
  }

  private static java.util.List<String> names(ChaosState state) {
    return state.savedScenarios().stream().map(io.faultline.chaos.config.Scenario::name).toList();
  }

  /** Deletes whose stores failed, undone in the order they were made: each scenario goes back where it stood. */
  @Test
  void failedDeletesAreUndoneInTheirPlacesWhateverChangedAroundThem() {
    ChaosState state = new ChaosState(ChaosConfig.off(), System::nanoTime, 1);
    for (String name : java.util.List.of("a", "x", "y", "b")) {
      state.saveScenario(new io.faultline.chaos.config.Scenario(name, null, false, ChaosConfig.off(), null));
    }
    // two deletes in a row, both failing: the second's place was taken after the first
    var x = state.savedScenario("x");
    ChaosState.Place xPlace = state.savedPlace("x");
    state.deleteScenario("x");
    long xDeleted = state.lastChange("x");
    var y = state.savedScenario("y");
    ChaosState.Place yPlace = state.savedPlace("y");
    state.deleteScenario("y");
    long yDeleted = state.lastChange("y");
    assertThat(state.revertScenario("x", xDeleted, x, xPlace)).isTrue();
    assertThat(state.revertScenario("y", yDeleted, y, yPlace)).isTrue();
    assertThat(names(state)).containsExactly("a", "x", "y", "b");
    // one before it deleted (and stored) in between: it goes back before the one that followed it
    xPlace = state.savedPlace("x");
    state.deleteScenario("x");
    xDeleted = state.lastChange("x");
    state.deleteScenario("a");
    assertThat(state.revertScenario("x", xDeleted, x, xPlace)).isTrue();
    assertThat(names(state)).containsExactly("x", "y", "b");
    // the last one, and the one that followed it gone too: back at the end
    var b = state.savedScenario("b");
    ChaosState.Place bPlace = state.savedPlace("b");
    state.deleteScenario("b");
    assertThat(state.revertScenario("b", state.lastChange("b"), b, bPlace)).isTrue();
    assertThat(names(state)).containsExactly("x", "y", "b");
    // saved again since, or saved and deleted again: a later change is not undone
    ChaosState.Place yAgain = state.savedPlace("y");
    state.deleteScenario("y");
    yDeleted = state.lastChange("y");
    state.saveScenario(new io.faultline.chaos.config.Scenario("y", "new", false, ChaosConfig.off(), null));
    assertThat(state.revertScenario("y", yDeleted, y, yAgain)).isFalse();
    assertThat(names(state)).containsExactly("x", "b", "y");
    state.deleteScenario("y");
    assertThat(state.revertScenario("y", yDeleted, y, yAgain)).as("the first delete's undo after a save and a delete").isFalse();
    assertThat(names(state)).containsExactly("x", "b");
  }
}
