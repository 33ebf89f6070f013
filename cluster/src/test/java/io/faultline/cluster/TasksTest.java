package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Task sequencing in each coordination mode, driven step by step (the leader's turn, a node's turn) on a
 * real one-member Hazelcast map; the chaos a task applies is recorded instead of sent to a node.
 */
class TasksTest {

  private static HazelcastInstance hazelcast;

  /** What the tasks asked of each node's chaos. */
  private final List<String> applied = new ArrayList<>();
  private final List<String> removed = new ArrayList<>();

  @BeforeAll
  static void startHazelcast() {
    int port = Upstreams.portToListenOn();
    hazelcast = Hazelcast.newHazelcastInstance(HazelcastSetup.config(new ClusterConfig(true, "127.0.0.1", port,
        List.of("127.0.0.1:" + port), "n1", null, null, null, null, "tasks-" + UUID.randomUUID(), null, null, null)));
  }

  @AfterAll
  static void stopHazelcast() {
    hazelcast.shutdown();
  }

  private final String map = "tasks-" + UUID.randomUUID();

  /** Node {@code self}'s view of this test's task map. */
  private Tasks node(String self) {
    return node(self, hazelcast.getMap(map));
  }

  private Tasks node(String self, com.hazelcast.map.IMap<String, String> tasks) {
    return new Tasks(tasks, new ChaosState(ChaosConfig.off()), new Tasks.Chaos() {
      @Override
      public Future<Void> apply(JsonObject rule, String taskId) {
        applied.add(self + ":" + rule.getString("name"));
        return Future.succeededFuture();
      }

      @Override
      public void remove(String rule, String taskId) {
        removed.add(rule);
      }
    }, self);
  }

  private static JsonObject submit(Tasks tasks, JsonObject spec, List<JsonObject> live, long seed) {
    return tasks.submit(TaskSpec.read(spec), live, seed);
  }

  private static List<JsonObject> live(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new JsonObject().put("id", id).put("region", "r").put("zone", "z")).toList();
  }

  private static JsonObject spec(String id, String mode) {
    return new JsonObject().put("id", id).put("mode", mode).put("duration_seconds", 1)
        .put("config", new JsonObject().put("latency", new JsonObject().put("fixed_delay_ms", 5)));
  }

  private static List<String> states(Tasks tasks, String id) {
    return tasks.get(id).getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("state")).toList();
  }

  /** A node's turn: it starts whatever was handed to it; answers the indexes it started. */
  private static List<Integer> work(Tasks tasks) {
    List<Integer> started = new ArrayList<>();
    tasks.work(pair -> {
      if (pair[0].getJsonObject("orchestration") == null) { // an orchestration item's chaos is its run's (the orchestrator's)
        tasks.start(pair[0], pair[1]);
      }
      started.add(pair[1].getInteger("index"));
    });
    return started;
  }

  /** A parallel task {@code id} of one item, for node a alone, submitted, handed out and started on {@code a}. */
  private static void runningOnA(Tasks a, String id) {
    submit(a, spec(id, "parallel").put("targets", new JsonObject().put("nodes", new JsonArray().add("a"))), live("a"), 1);
    a.lead(Set.of("a"));
    assertThat(work(a)).hasSize(1);
  }

  /** A parallel task {@code id} submitted on {@code a}, handed out by a as leader, and started on both nodes. */
  private static void runningOnBoth(Tasks a, Tasks b, String id) {
    submit(a, spec(id, "parallel"), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    work(a);
    work(b);
  }

  @Test
  void submissionsAreCheckedBeforeAnythingIsStored() {
    Tasks tasks = node("a");
    assertThatThrownBy(() -> submit(tasks, spec("x", "round_robin"), live("a"), 1))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("mode"));
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel").put("duration_seconds", 0), live("a"), 1))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("duration_seconds"));
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel").put("targets", new JsonObject().put("nodes", new JsonArray().add("z"))),
        live("a"), 1)).isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("targets.nodes"));
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel").put("targets", new JsonObject().put("regions", new JsonArray().add("mars"))),
        live("a"), 1)).isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("targets"));
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel").put("config", new JsonObject().put("latency",
        new JsonObject().put("probability", 3))), live("a"), 1)).isInstanceOf(ChaosConfigException.class);
    // targets take node scopes only, each a list of names; a config takes sections only, at least one (a 500, or
    // taken and ignored: every node picked, the config's enabled and rules never applied)
    java.util.Map<JsonObject, String> refused = new java.util.LinkedHashMap<>();
    refused.put(spec("x", "parallel").put("targets", new JsonObject().put("nodes", "a")), "targets.nodes");
    refused.put(spec("x", "parallel").put("targets", new JsonObject().put("path", "/x")), "targets.path");
    refused.put(spec("x", "parallel").put("targets", new JsonObject().put("listener", "web")), "targets.listener");
    refused.put(spec("x", "parallel").put("targets", new JsonObject().put("regions", new JsonArray())), "targets.regions");
    refused.put(spec("x", "parallel").put("config", new JsonObject()), "config");
    refused.put(spec("x", "parallel").put("config", new JsonObject().put("enabled", false)
        .put("latency", new JsonObject().put("fixed_delay_ms", 5))), "config.enabled");
    refused.put(spec("x", "parallel").put("config", new JsonObject().put("rules", new JsonArray())), "config.rules");
    refused.forEach((spec, field) -> assertThatThrownBy(() -> submit(tasks, spec, live("a"), 1)).as(spec.encode())
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo(field)));
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel").put("duration_seconds", "1"), live("a"), 1))
        .hasMessageContaining("got \"1\"");
    assertThat(tasks.list()).isEmpty();
    // a second task under a name in use is a conflict with that task (409), not a bad request
    submit(tasks, spec("x", "parallel"), live("a"), 1);
    assertThatThrownBy(() -> submit(tasks, spec("x", "parallel"), live("a"), 1))
        .isInstanceOfSatisfying(io.faultline.chaos.control.ControlError.Conflict.class, e -> assertThat(e.field()).isEqualTo("id"))
        .hasMessage("a task named x exists already");
  }

  /**
   * An item's end says which of its starts it is (attempts): the timer of an earlier start here, the item requeued and
   * started again, ends nothing (it ended the second start early: 60 s of chaos cut to 39).
   */
  @Test
  void theEndOfAnEarlierStartOfAnItemEndsNothing() {
    Tasks a = node("a");
    Tasks b = node("b");
    runningOnBoth(a, b, "again");
    int attempts = a.get("again").getJsonArray("items").getJsonObject(0).getInteger("attempts");
    a.end("again", 0, "succeeded", "an earlier start's timer", new JsonObject().put("attempts", attempts - 1));
    assertThat(a.get("again").getJsonArray("items").getJsonObject(0).getString("state")).isEqualTo("running");
    a.end("again", 0, "succeeded", "ok", new JsonObject().put("attempts", attempts));
    assertThat(a.get("again").getJsonArray("items").getJsonObject(0).getString("state")).isEqualTo("succeeded");
  }

  /**
   * Reference 000's example task has a fixed id ({@code task-1}): it could run once per cluster, as an ended task
   * was kept for ever and could not be deleted. An ended task is deleted (a running one is refused: cancel it
   * first), its id is free again, and no node that saw it puts it back as it would a task the map lost.
   */
  @Test
  void anEndedTaskIsDeletedAndItsIdUsedAgainWithoutAnotherNodePuttingItBack() {
    Tasks a = node("a");
    Tasks b = node("b");
    runningOnBoth(a, b, "task-1");
    b.heal(); // b has seen the task running
    assertThatThrownBy(() -> a.delete("task-1")).isInstanceOfSatisfying(io.faultline.chaos.control.ControlError.Conflict.class,
        e -> assertThat(e).hasMessageContaining("is running: cancel it first"));
    a.end("task-1", 0, "succeeded", "ok");
    b.end("task-1", 1, "succeeded", "ok");
    a.lead(Set.of("a", "b"));
    assertThat(a.get("task-1").getBoolean("settled")).isTrue();
    assertThatThrownBy(() -> submit(a, spec("task-1", "parallel"), live("a", "b"), 1))
        .hasMessageContaining("it has ended, succeeded: DELETE /api/cluster/tasks/task-1 to reuse its id");
    assertThat(a.delete("task-1").getString("status")).isEqualTo("succeeded");
    assertThat(a.get("task-1")).isNull();
    assertThat(a.list()).isEmpty();
    assertThat(a.delete("task-1")).as("deleted already").isNull();
    b.heal(); // b's last sight of it was running: the tombstone keeps it from putting that back
    a.heal();
    assertThat(b.get("task-1")).isNull();
    a.lead(Set.of("a", "b"));
    assertThat(work(b)).isEmpty();
    // the id again, as the reference's example submits it
    submit(a, spec("task-1", "parallel"), live("a", "b"), 1);
    assertThat(a.get("task-1").getString("status")).isEqualTo("running");
    assertThat(a.list()).hasSize(1);
  }

  /**
   * A cancelled task whose part still runs on a node that then dies ends that part (its rule removed) and settles: the
   * part stayed running for ever, the task could not be deleted, its rule stayed in the shared config for the node's
   * return, and every later task settled with nothing switching chaos off (a task counted as still running).
   */
  @Test
  void aCancelledTaskWhosePartsNodeDiesEndsThatPartAndSettles() {
    Tasks a = node("a");
    Tasks b = node("b");
    runningOnBoth(a, b, "c");
    a.cancel("c");
    a.end("c", 0, "cancelled", "ended by the cancel");
    assertThat(a.lead(Set.of("a", "b")).running()).as("b's part still runs").isTrue();
    removed.clear();
    Tasks.Led led = a.lead(Set.of("a")); // b is gone before it ended its part
    assertThat(states(a, "c")).containsExactly("cancelled", "cancelled");
    assertThat(a.get("c").getJsonArray("items").getJsonObject(1).getString("result")).isEqualTo("node b failed before it ended its part");
    assertThat(removed).containsExactly("task:c:1");
    assertThat(led.running()).isFalse();
    assertThat(led.settled()).containsExactly("c");
    assertThat(a.delete("c").getString("status")).isEqualTo("cancelled");
  }

  @Test
  void stopOnFailureIsRefusedWhereItemsDoNotRunOneAfterAnother() {
    Tasks tasks = node("a");
    for (String mode : List.of("parallel", "leader_assigned", "peer_to_peer")) {
      assertThatThrownBy(() -> submit(tasks, spec("s", mode).put("stop_on_failure", true), live("a"), 1))
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("stop_on_failure"))
          .hasMessageContaining("applies to sequential tasks only");
    }
    submit(tasks, spec("s", "sequential").put("stop_on_failure", true), live("a"), 1);
    submit(tasks, spec("t", "parallel").put("stop_on_failure", false), live("a"), 1);
  }

  @Test
  void parallelHandsEveryItemOutAtOnceAndSucceedsWhenAllDo() {
    Tasks a = node("a");
    Tasks b = node("b");
    submit(a, spec("p", "parallel"), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    assertThat(states(a, "p")).containsExactly("assigned", "assigned");
    assertThat(work(a)).containsExactly(0);
    assertThat(work(b)).containsExactly(1);
    assertThat(applied).containsExactly("a:task:p:0", "b:task:p:1");
    a.end("p", 0, "succeeded", "ok");
    b.end("p", 1, "succeeded", "ok");
    assertThat(removed).containsExactly("task:p:0", "task:p:1");
    a.lead(Set.of("a", "b"));
    assertThat(a.get("p").getString("status")).isEqualTo("succeeded");
  }

  @Test
  void sequentialRunsOneAfterAnotherAndStopOnFailureSkipsTheRest() {
    Tasks a = node("a");
    Tasks b = node("b");
    submit(a, spec("s", "sequential").put("stop_on_failure", true), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    assertThat(states(a, "s")).containsExactly("assigned", "pending");
    assertThat(work(b)).as("b waits its turn").isEmpty();
    work(a);
    a.end("s", 0, "failed", "boom");
    a.lead(Set.of("a", "b"));
    assertThat(states(a, "s")).containsExactly("failed", "skipped");
    assertThat(a.get("s").getString("status")).isEqualTo("failed");
  }

  /**
   * A target dead before the leader's first tick leaves its item to a node free of items of its own: a live target whose
   * own item was still pending was taken for free, and ran both items at once.
   */
  @Test
  void leaderAssignedGivesNoNodeTwoItemsAtOnce() {
    Tasks a = node("a");
    submit(a, spec("la3", "leader_assigned"), live("a", "b", "c"), 1);
    a.lead(Set.of("b", "c")); // the node of one item died before the first tick
    java.util.Map<String, Long> assigned = a.get("la3").getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(item -> item.getString("state").equals("assigned"))
        .collect(java.util.stream.Collectors.groupingBy(item -> item.getString("node"), java.util.stream.Collectors.counting()));
    assertThat(assigned).as(a.get("la3").encode()).containsOnlyKeys("b", "c").allSatisfy((node, count) -> assertThat(count).isEqualTo(1L));
    assertThat(states(a, "la3")).containsOnly("pending", "assigned").contains("pending");
  }

  @Test
  void leaderAssignedMovesADeadNodesItemToAnotherLiveTarget() {
    Tasks a = node("a");
    Tasks b = node("b");
    submit(a, spec("la", "leader_assigned"), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    work(b);
    assertThat(states(a, "la")).containsExactly("assigned", "running");
    work(a);
    a.end("la", 0, "succeeded", "ok");
    a.lead(Set.of("a")); // b died while running item 1
    assertThat(removed).contains("task:la:1");
    JsonObject moved = a.get("la").getJsonArray("items").getJsonObject(1);
    assertThat(moved.getString("node")).isEqualTo("a");
    assertThat(moved.getString("state")).isEqualTo("assigned");
    assertThat(moved.getInteger("attempts")).isEqualTo(1);
  }

  /**
   * A task whose targets have all died fails its items no node is left to run, in both modes that move work: it
   * waited for ever, chaos on meanwhile, and ran whole once a target came back.
   */
  @Test
  void itemsNoLiveTargetIsLeftToRunFail() {
    for (String mode : List.of("leader_assigned", "peer_to_peer")) {
      Tasks a = node("a");
      String id = "gone-" + mode;
      submit(a, spec(id, mode).put("targets", new JsonObject().put("nodes", new JsonArray().add("b"))), live("a", "b"), 1);
      a.lead(Set.of("a")); // b died before it ran anything
      assertThat(states(a, id)).as(mode).containsExactly("failed");
      assertThat(a.get(id).getJsonArray("items").getJsonObject(0).getString("result")).as(mode)
          .isEqualTo("no target node is live to run it (targets [b])");
      assertThat(a.get(id).getString("status")).as(mode).isEqualTo("failed");
    }
  }

  @Test
  void peerToPeerNodesClaimOnePendingItemAtATime() {
    Tasks a = node("a");
    Tasks b = node("b");
    submit(a, spec("pp", "peer_to_peer"), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    assertThat(states(a, "pp")).as("the leader hands nothing out").containsExactly("pending", "pending");
    assertThat(work(b)).hasSize(1);
    assertThat(work(b)).as("one running item per node").isEmpty();
    assertThat(work(a)).hasSize(1);
    assertThat(states(a, "pp")).containsExactly("running", "running");
    assertThat(attempts(a, "pp")).as("each started once").containsExactly(1, 1);
    int ofB = "b".equals(a.get("pp").getJsonArray("items").getJsonObject(0).getString("node")) ? 0 : 1;
    a.lead(Set.of("a")); // b died while running its item: back in the queue, not started again yet
    assertThat(states(a, "pp").get(ofB)).isEqualTo("pending");
    assertThat(attempts(a, "pp")).containsExactly(1, 1);
    a.end("pp", 1 - ofB, "succeeded", "ok");
    assertThat(work(a)).hasSize(1);
    assertThat(attempts(a, "pp").get(ofB)).as("b's item started a second time, on a").isEqualTo(2);
    assertThat(attempts(a, "pp").get(1 - ofB)).isEqualTo(1);
  }

  /**
   * The real map, with {@code before} run ahead of its first compare-and-set: another node's write lands between
   * this node's read and its write, so its write fails and it tries again on what the other wrote.
   */
  @SuppressWarnings("unchecked")
  private com.hazelcast.map.IMap<String, String> raced(Runnable before) {
    com.hazelcast.map.IMap<String, String> real = hazelcast.getMap(map);
    boolean[] done = {false};
    return (com.hazelcast.map.IMap<String, String>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {com.hazelcast.map.IMap.class}, (proxy, method, args) -> {
          if (method.getName().equals("replace") && args != null && args.length == 3 && !done[0]) {
            done[0] = true;
            before.run();
          }
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * A node whose claim of an item loses its write to a cancel made elsewhere (the kill switch pressed there) runs
   * nothing: it ran the item it had claimed in the attempt that lost, switching chaos on under a cancelled task, and
   * its rule stayed for good, since the item was never recorded as running there.
   */
  @Test
  void aClaimThatLosesItsWriteToACancelRunsNothing() {
    Tasks a = node("a");
    submit(a, spec("raced", "peer_to_peer"), live("a", "b"), 1);
    a.lead(Set.of("a", "b"));
    Tasks b = node("b", raced(() -> a.cancel("raced")));
    assertThat(work(b)).isEmpty();
    assertThat(applied).isEmpty();
    assertThat(states(a, "raced")).containsOnly("cancelled");
  }

  /**
   * The leader's turn whose write lost to the last item's end settles the task on its retry and says so: the losing
   * attempt had taken the task for running, the retry marked it settled, and the switch was never put back.
   */
  @Test
  void aLeadersTurnThatLosesItsWriteToTheLastEndSettlesTheTask() {
    Tasks worker = node("a");
    runningOnA(worker, "ends");
    Tasks leader = node("b", raced(() -> worker.end("ends", 0, "succeeded", "ok")));
    Tasks.Led led = leader.lead(Set.of("a", "b"));
    assertThat(led.running()).as("nothing runs any more").isFalse();
    assertThat(led.settled()).containsExactly("ends");
    assertThat(worker.get("ends").getString("status")).isEqualTo("succeeded");
  }

  /** A cancel whose write lost to the task's own end, which it then finds ended, says so (409) and cancels nothing. */
  @Test
  void aCancelThatLosesItsWriteToTheTasksEndSaysItHasEnded() {
    Tasks a = node("a");
    runningOnA(a, "ending");
    Tasks b = node("b", raced(() -> a.end("ending", 0, "succeeded", "ok")));
    assertThatThrownBy(() -> b.cancel("ending")).isInstanceOf(io.faultline.chaos.control.ControlError.Conflict.class)
        .hasMessageContaining("has ended (succeeded)");
  }

  private static List<Integer> attempts(Tasks tasks, String id) {
    return tasks.get(id).getJsonArray("items").stream().map(o -> ((JsonObject) o).getInteger("attempts")).toList();
  }

  @Test
  void anOrchestrationItemRecordsItsRunAndARunLostWithItsNodeOrRequeuedIsSaidSo() {
    Tasks a = node("a");
    Tasks b = node("b");
    JsonObject orchestration = new JsonObject().put("name", "o").put("text", "name: o\nsteps: [{name: s, scenario: slow_backend}]\n");
    JsonObject spec = new JsonObject().put("id", "o").put("target_nodes", new JsonArray().add("a").add("b"))
        .put("coordination_mode", "Parallel").put("orchestration", "o");
    assertThatThrownBy(() -> submit(a, spec, live("a", "b"), 1)).as("stored only once the orchestrator checked it")
        .isInstanceOf(IllegalStateException.class);
    JsonObject stored = a.submit(TaskSpec.read(spec).withResolved(orchestration), live("a", "b"), 1);
    assertThat(stored.getJsonObject("orchestration")).isEqualTo(orchestration);
    assertThat(stored.getValue("duration_ms")).isNull();
    assertThat(stored.getValue("sections")).isNull();
    a.lead(Set.of("a", "b"));
    work(a);
    work(b);
    a.note("o", 0, new JsonObject().put("run_id", "run-1").put("run_status", "running"));
    b.note("o", 0, new JsonObject().put("run_id", "not-b's"));
    b.note("o", 1, new JsonObject().put("run_id", "run-2").put("run_status", "running"));
    a.end("o", 0, "succeeded", "ran", new JsonObject().put("run_status", "succeeded").put("report", new JsonObject().put("id", "run-1")));
    a.lead(Set.of("a")); // b died mid-run
    JsonObject done = a.get("o");
    assertThat(done.getJsonArray("items").getJsonObject(0).getString("run_id")).as("only the item's own node notes it").isEqualTo("run-1");
    assertThat(done.getJsonArray("items").getJsonObject(0).getJsonObject("report").getString("id")).isEqualTo("run-1");
    assertThat(done.getJsonArray("items").getJsonObject(1).getString("run_status")).isEqualTo("lost");
    assertThat(done.getString("status")).isEqualTo("failed");

    submit(a, spec("q", "peer_to_peer"), live("a", "b"), 1);
    work(b);
    b.note("q", 0, new JsonObject().put("run_id", "run-3").put("run_status", "running"));
    a.lead(Set.of("a"));
    assertThat(a.get("q").getJsonArray("items").getJsonObject(0).fieldNames()).as("a requeued item starts a new run")
        .doesNotContainAnyElementsOf(Tasks.RUN_FIELDS);
  }
}
