package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.state.ChaosState.Replica;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Merging a node's change with one the cluster stored meanwhile: what the change touched is the node's, the rest the cluster's. */
class ChaosMergeTest {

  private static ChaosConfig config(String json) {
    return ChaosJson.config(new JsonObject(json).getMap());
  }

  private static Replica replica(String json, long version) {
    return new Replica(config(json), null, null, version);
  }

  private static java.util.List<String> rules(Replica replica) {
    return replica.config().rules().stream().map(ChaosRule::name).toList();
  }

  @Test
  void rulesPutOrRemovedOnTwoNodesAtOnceAreAllKept() {
    Replica base = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", 4);
    Replica mine = replica("{\"rules\": [{\"name\": \"b\"}, {\"name\": \"mine\"}]}", 5); // removed a, put mine
    Replica theirs = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"b\", \"enabled\": false}, {\"name\": \"theirs\"}]}", 5);
    Replica merged = ChaosMerge.merge(base, mine, theirs, 6);
    assertThat(merged.version()).isEqualTo(6);
    assertThat(rules(merged)).containsExactly("b", "theirs", "mine");
    assertThat(merged.config().rules().get(0).enabled()).as("b: changed by them only").isFalse();
  }

  @Test
  void aRuleBothChangedIsMineAndKeepsItsPlace() {
    Replica base = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", 4);
    Replica mine = replica("{\"rules\": [{\"name\": \"a\", \"latency\": {\"fixed_delay_ms\": 5}}, {\"name\": \"b\"}]}", 5);
    Replica theirs = replica("{\"rules\": [{\"name\": \"a\", \"latency\": {\"fixed_delay_ms\": 9}}, {\"name\": \"b\"}]}", 5);
    Replica merged = ChaosMerge.merge(base, mine, theirs, 6);
    assertThat(rules(merged)).containsExactly("a", "b");
    assertThat(merged.config().rules().get(0).latency().fixedDelayMs()).isEqualTo(5L);
  }

  @Test
  void sectionsTheSwitchAndTheScenarioComeFromWhoeverChangedThem() {
    Replica base = replica("{\"enabled\": false, \"seed\": 1, \"latency\": {\"fixed_delay_ms\": 1}}", 4);
    Replica mine = new Replica(config("{\"enabled\": true, \"seed\": 1, \"latency\": {\"fixed_delay_ms\": 2}}"), "slow_backend",
        config("{\"seed\": 1}"), 5);
    Replica theirs = replica("{\"enabled\": false, \"seed\": 9, \"latency\": {\"fixed_delay_ms\": 3},"
        + " \"fault_injection\": {\"http_errors\": [503]}}", 5);
    Replica merged = ChaosMerge.merge(base, mine, theirs, 6);
    assertThat(merged.config().enabled()).isTrue();
    assertThat(merged.config().seed()).isEqualTo(9L);
    assertThat(merged.config().latency().fixedDelayMs()).as("both changed it: the later change, mine").isEqualTo(2L);
    assertThat(merged.config().faultInjection()).as("theirs alone").isEqualTo(theirs.config().faultInjection());
    assertThat(merged.scenario()).isEqualTo("slow_backend");
    assertThat(merged.beforeScenario()).isEqualTo(mine.beforeScenario());
    assertThat(ChaosMerge.merge(base, base, theirs, 6).config()).as("no change of mine: theirs as it is").isEqualTo(theirs.config());
  }

  @Test
  void aRuleRenamedInPlaceKeepsItsPlaceWhileAnotherNodeEditsAnotherRule() {
    Replica base = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"c\"}]}", 4);
    Replica mine = replica("{\"rules\": [{\"name\": \"b\"}, {\"name\": \"c\"}]}", 5); // a renamed b, in its place
    Replica theirs = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"c\", \"enabled\": false}]}", 5);
    Replica merged = ChaosMerge.merge(base, mine, theirs, 6);
    assertThat(rules(merged)).as("b first: the place decides which traffic it wins").containsExactly("b", "c");
    assertThat(merged.config().rules().get(1).enabled()).isFalse();
  }

  @Test
  void aNewOrderOfTheRulesIsKeptWhileAnotherNodeAddsARule() {
    Replica base = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"c\"}]}", 4);
    Replica mine = replica("{\"rules\": [{\"name\": \"c\"}, {\"name\": \"a\"}]}", 5);
    Replica theirs = replica("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"c\"}, {\"name\": \"d\"}]}", 5);
    assertThat(rules(ChaosMerge.merge(base, mine, theirs, 6))).containsExactly("c", "a", "d");
    // and the other way round: their new order kept, my new rule too
    assertThat(rules(ChaosMerge.merge(base, theirs, mine, 6))).containsExactly("c", "a", "d");
  }

  @Test
  void twoScenarioStartsAtOnceAreNeverMixed() {
    Replica base = replica("{\"enabled\": true, \"seed\": 1, \"latency\": {\"fixed_delay_ms\": 100}}", 4);
    Replica mine = new Replica(config("{\"enabled\": true, \"seed\": 1, \"scenario\": \"slow_backend\","
        + " \"latency\": {\"fixed_delay_ms\": 2000, \"jitter_percent\": 10}}"), "slow_backend", base.config(), 5);
    Replica theirs = new Replica(config("{\"enabled\": true, \"seed\": 1, \"scenario\": \"network_degradation\","
        + " \"latency\": {\"fixed_delay_ms\": 500, \"jitter_percent\": 20},"
        + " \"traffic_shaping\": {\"bandwidth_limit_bps\": 100000, \"packet_loss_percent\": 5}}"), "network_degradation",
        base.config(), 5);
    Replica merged = ChaosMerge.merge(base, mine, theirs, 6);
    assertThat(merged.scenario()).isEqualTo("slow_backend");
    assertThat(merged.config().latency().fixedDelayMs()).isEqualTo(2000L);
    assertThat(merged.config().trafficShaping()).as("nothing of the other scenario").isNull();
  }

  /**
   * The kill switch, pressed on a node that had not yet taken in another's scenario start (so it already
   * showed chaos off), still switches chaos off once merged: it used to be handed over as no change, and the
   * start kept chaos on everywhere.
   */
  @Test
  void theKillSwitchOnANodeThatMissedAStartSwitchesItOff() {
    io.faultline.chaos.state.ChaosState stale = new io.faultline.chaos.state.ChaosState(config("{\"seed\": 1}"), System::nanoTime, 1);
    java.util.List<Replica[]> handed = new java.util.ArrayList<>();
    stale.replicateTo((base, mine) -> handed.add(new Replica[] {base, mine}));
    stale.enable(false);
    Replica theirs = new Replica(config("{\"enabled\": true, \"seed\": 1, \"scenario\": \"slow_backend\","
        + " \"latency\": {\"fixed_delay_ms\": 2000}}"), "slow_backend", config("{\"seed\": 1}"), 2);
    Replica merged = ChaosMerge.merge(handed.get(0)[0], handed.get(0)[1], theirs, 3);
    assertThat(merged.config().enabled()).as("the kill switch is the later change").isFalse();
    assertThat(merged.scenario()).as("the rest is theirs").isEqualTo("slow_backend");
    stale.enable(true);
    assertThat(ChaosMerge.merge(handed.get(1)[0], handed.get(1)[1], merged, 4).config().enabled()).as("and back on").isTrue();
  }

  /**
   * A scenario started again on a node that had not yet taken in another's stop of it (so it still showed it
   * running) is running once merged: the start was handed over as no change, and the scenario stayed stopped
   * though the start was answered.
   */
  @Test
  void aStartOnANodeThatMissedAStopOfTheSameScenarioStartsIt() {
    io.faultline.chaos.state.ChaosState stale = new io.faultline.chaos.state.ChaosState(config("{\"seed\": 1}"), System::nanoTime, 1);
    java.util.List<Replica[]> handed = new java.util.ArrayList<>();
    stale.replicateTo((base, mine) -> handed.add(new Replica[] {base, mine}));
    stale.startScenario("slow_backend");
    Replica started = handed.get(0)[1];
    Replica stopped = new Replica(config("{\"seed\": 1, \"rules\": [{\"name\": \"theirs\"}]}"), null, null, started.version() + 1);
    stale.startScenario("slow_backend");
    Replica merged = ChaosMerge.merge(handed.get(1)[0], handed.get(1)[1], stopped, stopped.version() + 1);
    assertThat(merged.scenario()).as("the start is the later change").isEqualTo("slow_backend");
    assertThat(merged.config().enabled()).isTrue();
    assertThat(merged.config().latency()).isEqualTo(started.config().latency());
    assertThat(merged.beforeScenario()).as("what its stop puts back").isEqualTo(started.beforeScenario());
    assertThat(rules(merged)).as("the rest is theirs").containsExactly("theirs");

    java.util.List<Replica[]> fresh = new java.util.ArrayList<>();
    io.faultline.chaos.state.ChaosState node = new io.faultline.chaos.state.ChaosState(config("{\"seed\": 1}"), System::nanoTime, 1);
    node.replicateTo((base, mine) -> fresh.add(new Replica[] {base, mine}));
    node.startScenario("slow_backend");
    Replica edited = new Replica(config("{\"seed\": 1, \"fault_injection\": {\"http_errors\": [503]}}"), null, null, 2);
    Replica both = ChaosMerge.merge(fresh.get(0)[0], fresh.get(0)[1], edited, 3);
    assertThat(both.scenario()).isEqualTo("slow_backend");
    assertThat(both.config().faultInjection()).as("a section the scenario does not set, edited meanwhile elsewhere: kept")
        .isEqualTo(edited.config().faultInjection());
  }
}
