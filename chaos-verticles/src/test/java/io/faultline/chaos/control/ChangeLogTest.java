package io.faultline.chaos.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeLogTest {

  @Test
  void diffListsChangedLeavesByPathAndComparesNumbersByValue() {
    JsonObject before = new JsonObject().put("enabled", false).put("latency", new JsonObject().put("fixed_delay_ms", 10).put("probability", 1));
    JsonObject after = new JsonObject().put("enabled", false).put("latency", new JsonObject().put("fixed_delay_ms", 20).put("probability", 1.0))
        .put("rules", new JsonArray().add(new JsonObject().put("name", "r")));
    JsonArray diff = ChangeLog.diff(before, after);
    assertThat(diff).hasSize(2);
    assertThat(diff.getJsonObject(0).getMap()).containsEntry("path", "latency.fixed_delay_ms").containsEntry("from", 10).containsEntry("to", 20);
    assertThat(diff.getJsonObject(1).getString("path")).isEqualTo("rules[r]");
    assertThat(diff.getJsonObject(1).getValue("from")).isNull();
    assertThat(diff.getJsonObject(1).getJsonObject("to").getString("name")).isEqualTo("r");
  }

  /** A rule changed among others shows as what changed in it, not as the whole list twice (unreadable with a few rules). */
  @Test
  void rulesAreComparedByNameAndANewOrderIsOneEntry() {
    JsonObject a = rule("a", 10);
    JsonObject b = rule("b", 20);
    JsonArray diff = ChangeLog.diff(new JsonObject().put("rules", new JsonArray().add(a).add(b)),
        new JsonObject().put("rules", new JsonArray().add(rule("b", 25)).add(a).add(new JsonObject().put("name", "c"))));
    assertThat(diff.stream().map(d -> ((JsonObject) d).getString("path") + ": " + ((JsonObject) d).getValue("from") + " -> "
        + ((JsonObject) d).getValue("to")).toList()).containsExactly(
        "rules[b].latency.fixed_delay_ms: 20 -> 25",
        "rules[c]: null -> {\"name\":\"c\"}",
        "rules (order): [\"a\",\"b\"] -> [\"b\",\"a\"]");
  }

  @Test
  void aRuleRenamedInItsPlaceShowsAsItsChanges() {
    JsonArray diff = ChangeLog.diff(new JsonObject().put("rules", new JsonArray().add(rule("a", 10)).add(rule("b", 20))),
        new JsonObject().put("rules", new JsonArray().add(rule("a2", 15)).add(rule("b", 20))));
    assertThat(diff.stream().map(d -> ((JsonObject) d).getString("path") + ": " + ((JsonObject) d).getValue("from") + " -> "
        + ((JsonObject) d).getValue("to")).toList()).containsExactly(
        "rules[a2].latency.fixed_delay_ms: 10 -> 15",
        "rules[a2].name: a -> a2");
  }

  /** Whose the master switch is, newest first: the leader's settle asks, and a run's end asks about the switch it found. */
  @Test
  void theSwitchIsTheTasksWhenTheirsWasTheNewestSwitchOnBeforeTheRunAndNoUserHadAWordSince() {
    JsonObject taskOn = change("task", "t", Addresses.CHAOS_ENABLE, true);
    JsonObject userOn = change("rest", null, Addresses.CHAOS_ENABLE, true);
    JsonObject runPause = change("orchestration", "run-1", Addresses.CHAOS_SET, false);
    JsonObject runOn = change("orchestration", "run-1", Addresses.CHAOS_SET, true);
    String run = "orchestration:run-1";
    assertThat(ChangeLog.tasksSwitch(List.of(taskOn))).isTrue();
    assertThat(ChangeLog.tasksSwitch(List.of(runPause, taskOn))).as("the pause is the newest, an orchestration's").isFalse();
    assertThat(ChangeLog.tasksSwitch(List.of(change("task", "t", Addresses.CHAOS_DISABLE, false)))).as("a task's switch-off").isFalse();
    JsonObject handedBack = change("orchestration", "run-1", InternalAddresses.CHAOS_RESTORE, null).put(ChangeLog.KEPT_ON_FOR,
        new JsonArray().add("task:t:0"));
    assertThat(ChangeLog.tasksSwitch(List.of(handedBack, runOn, runPause, taskOn))).as("the run's end left it theirs").isTrue();

    assertThat(ChangeLog.tasksSwitchBefore(List.of(runOn, runPause, taskOn), run)).as("the tasks' when the run began").isTrue();
    assertThat(ChangeLog.tasksSwitchBefore(List.of(runPause, userOn), run)).as("a user's when it began").isFalse();
    assertThat(ChangeLog.tasksSwitchBefore(List.of(runPause, change("task", "u", Addresses.CHAOS_ENABLE, true), runPause, userOn), run))
        .as("a task switching on during the run takes no user's switch").isFalse();
    for (JsonObject word : List.of(change("rest", null, Addresses.CHAOS_ENABLE, null), change("rest", null, Addresses.CHAOS_DISABLE, true))) {
      assertThat(ChangeLog.tasksSwitchBefore(List.of(runOn, word, runPause, taskOn), run)).as("a user's word during the run: " + word)
          .isFalse();
    }
    assertThat(ChangeLog.tasksSwitchBefore(List.of(runOn, change("rest", null, Addresses.CHAOS_DISABLE, null), runPause, taskOn), run))
        .as("a kill switch pressed during the pause is a user's word, as it stops the runs and tasks").isFalse();
    assertThat(ChangeLog.tasksSwitchBefore(List.of(taskOn), run)).as("the run changed nothing").isFalse();

    assertThat(ChangeLog.runsSwitch(List.of(runPause, taskOn))).as("the run's pause: its end says whose").isTrue();
    assertThat(ChangeLog.runsSwitch(List.of(handedBack, runPause, taskOn))).as("its end said").isFalse();
    assertThat(ChangeLog.runsSwitch(List.of(userOn))).isFalse();
  }

  @Test
  void aTaskSwitchingOnCountsAsDuringTheRunOnlyFromTheRunsFirstChange() {
    ChangeLog log = new ChangeLog();
    log.add(change("task", "t", Addresses.CHAOS_ENABLE, true)); // before the run
    assertThat(log.taskSwitchedOnDuring("orchestration:run-1")).as("the run logged nothing").isFalse();
    log.add(change("orchestration", "run-1", Addresses.CHAOS_SET, false));
    assertThat(log.taskSwitchedOnDuring("orchestration:run-1")).isFalse();
    log.add(change("task", "u", Addresses.CHAOS_ENABLE, true));
    assertThat(log.taskSwitchedOnDuring("orchestration:run-1")).isTrue();
    assertThat(log.taskSwitchedOnDuring("orchestration:run-2")).isFalse();
  }

  /** A change log entry by {@code source:detail} to {@code address}, switching chaos to {@code to} (null: no switch change). */
  /** The kill switch is a user's disable, whether or not it switched chaos off; a runner's disable or a config set is not. */
  @Test
  void theKillSwitchIsAUsersDisableEvenOnASwitchAlreadyOff() {
    assertThat(ChangeLog.killSwitch(change("rest", null, Addresses.CHAOS_DISABLE, false))).isTrue();
    assertThat(ChangeLog.killSwitch(change("console", null, Addresses.CHAOS_DISABLE, null))).as("chaos was off already").isTrue();
    assertThat(ChangeLog.killSwitch(change("task", "t", Addresses.CHAOS_DISABLE, false))).as("a task settling").isFalse();
    assertThat(ChangeLog.killSwitch(change("orchestration", "run-1", Addresses.CHAOS_DISABLE, false))).isFalse();
    assertThat(ChangeLog.killSwitch(change("rest", null, Addresses.CHAOS_SET, false))).as("a config set").isFalse();
  }

  private static JsonObject change(String source, String detail, String address, Boolean to) {
    JsonArray diff = new JsonArray();
    if (to != null) {
      diff.add(new JsonObject().put("path", "enabled").put("from", !to).put("to", to));
    }
    return new JsonObject().put("source", source).put("detail", detail).put("address", address).put("diff", diff);
  }

  private static JsonObject rule(String name, int delay) {
    return new JsonObject().put("name", name).put("latency", new JsonObject().put("fixed_delay_ms", delay));
  }

  @Test
  void aRemovedSectionShowsAsItsFieldsGoingToNull() {
    JsonArray diff = ChangeLog.diff(new JsonObject().put("bulkhead", new JsonObject().put("max_concurrent_requests", 4)), new JsonObject());
    assertThat(diff.getJsonObject(0).getMap()).containsEntry("path", "bulkhead.max_concurrent_requests").containsEntry("to", null);
  }

  @Test
  void theLogKeepsTheNewestFirstUpToItsCapacity() {
    ChangeLog log = new ChangeLog();
    for (int i = 0; i < ChangeLog.CAPACITY + 5; i++) {
      log.add(new JsonObject().put("version", i));
    }
    JsonArray newest = log.newest(ChangeLog.CAPACITY + 10);
    assertThat(newest).hasSize(ChangeLog.CAPACITY);
    assertThat(newest.getJsonObject(0).getInteger("version")).isEqualTo(ChangeLog.CAPACITY + 4);
  }
}
