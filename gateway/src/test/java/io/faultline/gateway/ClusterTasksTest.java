package io.faultline.gateway;

import static io.faultline.gateway.ClusterFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Distributed tasks in each coordination mode on three clustered nodes, including a node's death mid-task. */
class ClusterTasksTest {

  private final ClusterFixture cluster = new ClusterFixture();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static final String ERRORS = "\"config\": {\"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1}}";

  private JsonObject awaitTask(Gateway node, String id) throws InterruptedException {
    // Right after a member dies the task may be briefly missing (its map entry is put back within a heartbeat).
    JsonObject[] last = new JsonObject[1];
    try {
      eventually(() -> {
        last[0] = cluster.get(node, "/api/cluster/tasks/" + id);
        String status = last[0].getString("status");
        return status != null && !status.equals("running");
      }, "task " + id + " ends");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + last[0].encodePrettily(), e);
    }
    return cluster.get(node, "/api/cluster/tasks/" + id);
  }

  private static List<String> states(JsonObject task) {
    return task.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("state")).toList();
  }

  @Test
  void parallelRunsOnEveryTargetAtOnceAndSequentialOneAfterAnother() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);

    JsonObject parallel = cluster.post(n2, "/api/cluster/tasks", "{\"id\": \"p\", \"mode\": \"parallel\", \"duration_seconds\": 3, " + ERRORS + "}");
    assertThat(parallel.getJsonArray("targets")).isEqualTo(new JsonArray().add("n1").add("n2").add("n3"));
    eventually(() -> cluster.traffic(n1) == 503 && cluster.traffic(n2) == 503 && cluster.traffic(n3) == 503, "all three fail together");
    cluster.kill(n3);
    JsonObject done = awaitTask(n2, "p");
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(states(done)).containsExactly("succeeded", "succeeded", "failed");
    assertThat(done.getJsonArray("items").getJsonObject(2).getString("result")).isEqualTo("node n3 failed before finishing");
    eventually(() -> cluster.traffic(n1) == 200 && cluster.traffic(n2) == 200, "the chaos ends with the task");
    assertThat(cluster.get(n1, "/api/chaos/rules").getJsonArray("rules")).isEmpty();
    // the task switched chaos on (it was off): settled, it switches it off again, logged as its own
    eventually(() -> !cluster.get(n2, "/api/chaos/status").getBoolean("enabled"), "the switch is back off");
    // the task's chaos went through the control addresses: published, and logged as the task's on every node
    assertThat(cluster.get(n1, "/api/chaos/changes?limit=50").getJsonArray("changes").stream().map(c -> (JsonObject) c)
        .filter(c -> "task".equals(c.getString("source")) && "p".equals(c.getString("detail"))).map(c -> c.getString("address")))
        .contains("faultline.chaos.rules.put", "faultline.chaos.rules.remove");

    // switched on by someone else before the next task, chaos stays on after it
    cluster.post(n1, "/api/chaos/enable", "");
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"s\", \"mode\": \"sequential\", \"duration_seconds\": 1,"
        + " \"targets\": {\"regions\": [\"us\"]}, " + ERRORS + "}");
    JsonObject sequential = awaitTask(n1, "s");
    assertThat(sequential.getString("status")).isEqualTo("succeeded");
    JsonArray items = sequential.getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("node")).isEqualTo("n1");
    assertThat(items.getJsonObject(1).getLong("started_at")).isGreaterThanOrEqualTo(items.getJsonObject(0).getLong("finished_at"));
    Thread.sleep(1_500); // heartbeats: the settled task leaves the switch alone
    assertThat(cluster.get(n2, "/api/chaos/status").getBoolean("enabled")).isTrue();
    assertThat(cluster.get(n1, "/api/chaos/changes?limit=200").getJsonArray("changes").stream().map(c -> (JsonObject) c)
        .filter(c -> "faultline.chaos.disable".equals(c.getString("address"))).map(c -> c.getString("source") + ":" + c.getString("detail")))
        .as("only task p switched chaos off").containsExactly("task:p");
  }

  /**
   * A task's chaos reaches all of its node's traffic, whatever rules are there and whatever other task runs: its rule lies
   * over the others. It was one more rule tried in order, put last: a rule already there that took the traffic (here
   * every path) hid the task's chaos, and of two tasks the first hid all of the second's (its errors never came).
   */
  @Test
  void aTasksChaosReachesItsNodesTrafficOverTheRulesThereAndBesideAnotherTask() throws Exception {
    List<Gateway> nodes = cluster.startTwo();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    assertThat(cluster.post(n1, "/api/chaos/rules", "{\"name\": \"everything\", \"match\": {\"path\": \"/**\"},"
        + " \"latency\": {\"fixed_delay_ms\": 20}}").getString("error")).isNull();
    cluster.post(n2, "/api/cluster/tasks", "{\"id\": \"slow\", \"duration_seconds\": 60, \"targets\": {\"nodes\": [\"n1\"]},"
        + " \"config\": {\"latency\": {\"fixed_delay_ms\": 400}}}");
    cluster.post(n2, "/api/cluster/tasks", "{\"id\": \"failing\", \"duration_seconds\": 60, \"targets\": {\"nodes\": [\"n1\"]}, "
        + ERRORS + "}");
    eventually(() -> cluster.get(n1, "/api/chaos/rules").getJsonArray("rules").size() == 3, "both tasks' rules on n1");
    eventually(() -> cluster.get(n1, "/api/chaos/status").getBoolean("enabled") && cluster.get(n2, "/api/chaos/status").getBoolean("enabled"),
        "chaos switched on by the tasks, on both nodes");
    long started = System.nanoTime();
    assertThat(cluster.traffic(n1)).as("the second task's errors").isEqualTo(503);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("the first task's delay, not the rule's").isGreaterThanOrEqualTo(400);
    started = System.nanoTime();
    assertThat(cluster.traffic(n2)).as("n2 runs no task: the rule's chaos alone").isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(20L, 390L);
    cluster.post(n1, "/api/cluster/tasks/slow/cancel", "");
    cluster.post(n1, "/api/cluster/tasks/failing/cancel", "");
    eventually(() -> cluster.traffic(n1) == 200, "the tasks' chaos gone with them");
  }

  /** A reload of the config file, which names no task's rule, keeps the rules of the tasks running: it dropped them. */
  @Test
  void aReloadKeepsTheRulesOfRunningTasks() throws Exception {
    Gateway n1 = cluster.startWatching(0, cluster.file());
    List<Gateway> nodes = List.of(n1, cluster.startWatching(1, cluster.file()));
    eventually(() -> cluster.get(n1, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes");
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"kept\", \"duration_seconds\": 60, " + ERRORS + "}");
    eventually(() -> cluster.traffic(n1) == 503 && cluster.traffic(nodes.get(1)) == 503, "the task's chaos on both nodes");
    JsonObject reloaded = cluster.post(n1, "/api/config/reload", "");
    assertThat(reloaded.getString("error")).as(reloaded.encode()).isNull();
    Thread.sleep(300);
    assertThat(cluster.get(n1, "/api/chaos/rules").getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("name")))
        .contains("task:kept:0", "task:kept:1");
    assertThat(cluster.traffic(n1)).isEqualTo(503);
    cluster.post(n1, "/api/cluster/tasks/kept/cancel", "");
    eventually(() -> cluster.traffic(n1) == 200, "the task's chaos gone with it");
  }

  @Test
  void leaderAssignedReassignsTheWorkOfADeadNodeAndOutlivesTheLeaderThatTookIt() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"la\", \"mode\": \"leader_assigned\", \"duration_seconds\": 4,"
        + " \"targets\": {\"nodes\": [\"n1\", \"n2\"]}, " + ERRORS + "}");
    eventually(() -> states(cluster.get(n3, "/api/cluster/tasks/la")).get(0).equals("running"), "n1 runs its item");
    cluster.kill(n1); // n1 submitted the task, leads the cluster and runs an item
    JsonObject done = awaitTask(n3, "la");
    assertThat(done.getString("status")).isEqualTo("succeeded");
    JsonObject reassigned = done.getJsonArray("items").getJsonObject(0);
    assertThat(reassigned.getString("node")).isEqualTo("n2");
    assertThat(reassigned.getInteger("attempts")).as("started on n1, then on n2").isEqualTo(2);
    assertThat(cluster.get(n2, "/api/chaos/rules").getJsonArray("rules")).isEmpty();
  }

  @Test
  void peerToPeerNodesClaimWorkAndADeadClaimersItemGoesBackToTheQueue() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"pp\", \"mode\": \"peer_to_peer\", \"duration_seconds\": 4, " + ERRORS + "}");
    eventually(() -> cluster.get(n1, "/api/cluster/tasks/pp").getJsonArray("items").stream()
        .anyMatch(o -> "n3".equals(((JsonObject) o).getString("node"))), "n3 claims an item");
    cluster.kill(n3);
    JsonObject done = awaitTask(n1, "pp");
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("node")))
        .containsOnly("n1", "n2").hasSize(3);
  }

  @Test
  void sequentialStopsOnFirstFailureWhenAskedAndBadSubmissionsAreRefused() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"sq\", \"mode\": \"sequential\", \"stop_on_failure\": true,"
        + " \"duration_seconds\": 4, \"targets\": {\"nodes\": [\"n2\", \"n3\"]}, " + ERRORS + "}");
    eventually(() -> states(cluster.get(n1, "/api/cluster/tasks/sq")).get(0).equals("running"), "n2 runs first");
    cluster.kill(n2);
    JsonObject done = awaitTask(n1, "sq");
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(states(done)).containsExactly("failed", "skipped");

    JsonObject badMode = cluster.post(n3, "/api/cluster/tasks", "{\"mode\": \"round_robin\", " + ERRORS + "}");
    assertThat(badMode.getString("field")).isEqualTo("mode");
    JsonObject noTarget = cluster.post(n3, "/api/cluster/tasks", "{\"targets\": {\"regions\": [\"mars\"]}, " + ERRORS + "}");
    assertThat(noTarget.getString("field")).isEqualTo("targets");
    JsonObject unknown = cluster.post(n3, "/api/cluster/tasks", "{\"scenario\": \"nope\"}");
    assertThat(unknown.getString("error")).contains("unknown scenario nope");
    JsonObject badConfig = cluster.post(n3, "/api/cluster/tasks", "{\"config\": {\"latency\": {\"fixed_delay_ms\": -1}}}");
    assertThat(badConfig.getString("field")).isEqualTo("config.latency.fixed_delay_ms");
  }

  /**
   * The kill switch cancels the running tasks, as it stops an orchestration: a sequential task's next item switched
   * chaos on again a few seconds after it. And a user's enable during a task says chaos is wanted on: it changed no
   * switch (the task's had), so the task's end switched chaos off under it.
   */
  @Test
  void theKillSwitchCancelsRunningTasksAndAnEnableDuringATaskOutlivesIt() throws Exception {
    Gateway n1 = cluster.start(0);
    Gateway n2 = cluster.start(1);
    eventually(() -> cluster.get(n1, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes registered");
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"k\", \"mode\": \"sequential\", \"duration_seconds\": 2,"
        + " \"targets\": {\"nodes\": [\"n1\", \"n2\"]}, " + ERRORS + "}");
    eventually(() -> cluster.traffic(n1) == 503, "n1 runs its part first");
    cluster.post(n2, "/api/chaos/disable", "");
    JsonObject killed = awaitTask(n1, "k");
    assertThat(killed.getString("status")).isEqualTo("cancelled");
    assertThat(killed.getJsonArray("items").getJsonObject(1).getString("result"))
        .isEqualTo("the task was cancelled (chaos was switched off on node n2 (rest)) before this part ran");
    Thread.sleep(3_000); // past when n2's part would have started
    assertThat(cluster.get(n2, "/api/chaos/status").getBoolean("enabled")).as("the switch stays off").isFalse();
    assertThat(cluster.traffic(n2)).isEqualTo(200);

    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"u\", \"mode\": \"parallel\", \"duration_seconds\": 2, " + ERRORS + "}");
    eventually(() -> cluster.traffic(n2) == 503, "the task runs");
    cluster.post(n2, "/api/chaos/enable", ""); // on already (the task's): wanted on all the same
    assertThat(awaitTask(n1, "u").getString("status")).isEqualTo("succeeded");
    Thread.sleep(1_500); // heartbeats: the settled task leaves the switch alone
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).as("the user's enable stands").isTrue();
  }

  @Test
  void aCancelledTaskEndsItsRunningPartAtOnceAndNeverStartsTheRest() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"c\", \"mode\": \"sequential\", \"duration_seconds\": 60,"
        + " \"targets\": {\"nodes\": [\"n1\", \"n2\"]}, " + ERRORS + "}");
    eventually(() -> cluster.traffic(n1) == 503, "n1 runs its part first");

    // cancelled from a node that runs no part of it
    var cancelled = cluster.postForResponse(n3, "/api/cluster/tasks/c/cancel", "");
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    JsonObject task = cancelled.bodyAsJsonObject();
    assertThat(task.getString("status")).isEqualTo("cancelled");
    assertThat(task.getString("cancelled_on")).isEqualTo("n3");
    assertThat(task.getJsonArray("items").getJsonObject(1).getString("state")).isEqualTo("cancelled");
    assertThat(task.getJsonArray("items").getJsonObject(1).getString("result"))
        .isEqualTo("the task was cancelled (on node n3) before this part ran");
    // n1's part ends at once, not after its 60 s: its rule goes, its traffic is untouched again
    eventually(() -> cluster.traffic(n1) == 200, "n1's chaos ends with the cancel");
    eventually(() -> "cancelled".equals(cluster.get(n2, "/api/cluster/tasks/c").getJsonArray("items").getJsonObject(0).getString("state")),
        "n1's part is closed");
    JsonObject after = cluster.get(n2, "/api/cluster/tasks/c");
    assertThat(after.getJsonArray("items").getJsonObject(0).getString("result")).isEqualTo("cancelled while it ran: stopped on n1");
    assertThat(cluster.get(n1, "/api/chaos/rules").getJsonArray("rules")).isEmpty();
    eventually(() -> !cluster.get(n2, "/api/chaos/status").getBoolean("enabled"), "the task had switched chaos on: it is off again");
    Thread.sleep(1_500); // heartbeats: the leader hands n2 nothing
    assertThat(cluster.traffic(n2)).isEqualTo(200);
    assertThat(states(cluster.get(n1, "/api/cluster/tasks/c"))).containsExactly("cancelled", "cancelled");

    var again = cluster.postForResponse(n2, "/api/cluster/tasks/c/cancel", "");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("task c has ended (cancelled)");
    // an ended task is deleted (from any node), and its id is free again: it was kept for ever, its id taken
    var taken = cluster.postForResponse(n1, "/api/cluster/tasks", "{\"id\": \"c\", \"duration_seconds\": 30, " + ERRORS + "}");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(taken.bodyAsJsonObject().getString("error")).contains("DELETE /api/cluster/tasks/c to reuse its id");
    var deleted = cluster.delete(n3, "/api/cluster/tasks/c");
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(deleted.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(cluster.delete(n2, "/api/cluster/tasks/c").statusCode()).isEqualTo(404);
    assertThat(cluster.get(n1, "/api/cluster/tasks").getJsonArray("tasks")).isEmpty();
    Thread.sleep(1_500); // heartbeats: no node puts it back
    assertThat(cluster.get(n2, "/api/cluster/tasks").getJsonArray("tasks")).isEmpty();
    for (Gateway node : java.util.List.of(n1, n2, n3)) {
      // the deleted task's tombstone has no items: reading it failed every heartbeat for a minute
      String metrics = cluster.web.get(node.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
      assertThat(MetricsTest.valueOrNaN(metrics, "faultline_cluster_heartbeats_total{result=\"failed\"}"))
          .as("heartbeats failed on a node after the delete").isZero();
    }
    var reused = cluster.postForResponse(n1, "/api/cluster/tasks", "{\"id\": \"c\", \"duration_seconds\": 30, " + ERRORS + "}");
    assertThat(reused.statusCode()).as(reused.bodyAsString()).isEqualTo(201);
    var running = cluster.delete(n2, "/api/cluster/tasks/c");
    assertThat(running.statusCode()).isEqualTo(409);
    assertThat(running.bodyAsJsonObject().getString("error")).contains("is running: cancel it first");
    cluster.post(n2, "/api/cluster/tasks/c/cancel", "");
    var unknown = cluster.postForResponse(n2, "/api/cluster/tasks/nope/cancel", "");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("no task named nope");
    // a script that forgets the id is told so, not answered "no task named null"
    for (JsonObject body : java.util.List.of(new JsonObject(), new JsonObject().put("id", ""))) {
      Throwable refused = n2.vertx().eventBus().request(io.faultline.chaos.control.Addresses.TASKS_GET, body)
          .map(m -> (Throwable) null).otherwise(e -> e).await();
      assertThat(refused).as(body.encode()).isInstanceOf(io.vertx.core.eventbus.ReplyException.class);
      assertThat(refused.getMessage()).contains("is required: the task to show");
    }
  }

  @Test
  void anOrchestrationStartedDuringATaskHoldsTheSwitchOnlyUntilItsRunEnds() throws Exception {
    Gateway n1 = runBesideATask(1, "name: beside\nsteps:\n  - {name: slow, scenario: slow_backend, duration_seconds: 4}\n");
    assertThat(awaitTask(n1, "t").getString("status")).isEqualTo("succeeded");
    Thread.sleep(1_000); // heartbeats: the run still needs the switch on
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).isTrue();

    // the run puts back the config it found (chaos on, as the task left it); the task had switched it on
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running"), "the run ends");
    eventually(() -> !cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "the switch is back off once the run has ended");
    assertThat(switchedOffBy(n1)).as(story(n1)).containsExactly("task:t");
  }

  /**
   * Chaos a user switched on before a run stays on after a task that switched it on in the run's pause has settled: the
   * run's end says the switch is the user's again ({@code kept_on}). The task's switch-on was the newest word on it, and
   * its settle switched the user's chaos off.
   */
  @Test
  void aTaskSwitchingChaosOnInARunsPauseLeavesAUsersChaosOnWhenItSettles() throws Exception {
    Gateway n1 = cluster.start(0);
    assertThat(cluster.post(n1, "/api/chaos/enable", "").getBoolean("enabled")).isTrue();
    JsonObject run = cluster.post(n1, "/api/chaos/orchestration/start",
        "name: baseline\nsteps:\n  - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 4}\n");
    assertThat(run.getBoolean("is_running")).as(run.encode()).isTrue();
    eventually(() -> !cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "the run's pause");
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"t\", \"duration_seconds\": 1, " + ERRORS + "}");
    assertThat(awaitTask(n1, "t").getString("status")).isEqualTo("succeeded");
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running"), "the run ends");
    Thread.sleep(3_000); // heartbeats: the task's settle, held back by the run, is tried again
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).as("the user's chaos").isTrue();
    assertThat(disables(n1)).as(story(n1)).isEmpty();
  }

  /**
   * What a failure of a switch assertion needs to be read: {@code node}'s change log, oldest first (version, address,
   * who, the switch's change, the run's end's word on whose it is), and the warnings the nodes logged meanwhile.
   */
  private String story(Gateway node) {
    List<String> lines = new java.util.ArrayList<>(cluster.get(node, "/api/chaos/changes?limit=200").getJsonArray("changes").stream()
        .map(c -> (JsonObject) c).map(c -> "v" + c.getValue("version") + " " + c.getString("address") + " " + c.getString("source") + ":"
            + c.getString("detail") + c.getJsonArray("diff", new JsonArray()).stream().map(d -> (JsonObject) d)
                .filter(d -> "enabled".equals(d.getString("path"))).map(d -> " enabled " + d.getValue("from") + "->" + d.getValue("to"))
                .findFirst().orElse("")
            + (c.containsKey("kept_on_for") ? " kept_on_for=" + c.getValue("kept_on_for") : "")
            + (c.containsKey("kept_on") ? " kept_on" : ""))
        .toList());
    java.util.Collections.reverse(lines);
    return "change log:\n  " + String.join("\n  ", lines) + "\nwarnings:\n  " + String.join("\n  ", cluster.warnings());
  }

  /**
   * {@link #disables} once there is one: a clustered node logs a change once the cluster has stored it, so the switch
   * reads off a moment before its log says who switched it.
   */
  private List<String> switchedOffBy(Gateway node) throws InterruptedException {
    try {
      eventually(() -> !disables(node).isEmpty(), "the switch-off logged");
    } catch (AssertionError none) {
      throw new AssertionError(none.getMessage() + "\n" + story(node), none); // switched off by no disable (a restore?)
    }
    return disables(node);
  }

  /** Who pressed {@code faultline.chaos.disable} on {@code node}, newest first ({@code source:detail}). */
  private List<String> disables(Gateway node) {
    return cluster.get(node, "/api/chaos/changes?limit=200").getJsonArray("changes").stream().map(c -> (JsonObject) c)
        .filter(c -> "faultline.chaos.disable".equals(c.getString("address"))).map(c -> c.getString("source") + ":" + c.getString("detail"))
        .toList();
  }
  /**
   * The other way round: a task started during the node's own run, which began with chaos off. The run's end puts
   * back the config it found but leaves the switch on while the task's rule is there (it switched it off under the
   * task, whose chaos ended unsaid); the task, settled, switches it off, as if it had switched it on.
   */
  @Test
  void aTaskStartedDuringAnOrchestrationKeepsTheSwitchOnPastTheRunUntilItSettles() throws Exception {
    Gateway n1 = cluster.start(0);
    JsonObject run = cluster.post(n1, "/api/chaos/orchestration/start",
        "name: first\nsteps:\n  - {name: slight, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 2}\n");
    assertThat(run.getBoolean("is_running")).as(run.encode()).isTrue();
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"t\", \"duration_seconds\": 6, " + ERRORS + "}");
    eventually(() -> cluster.traffic(n1) == 503, "the task's chaos is on");
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running"), "the run ends");
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).as("the task still needs the switch").isTrue();
    assertThat(cluster.traffic(n1)).as("the task's chaos goes on").isEqualTo(503);
    assertThat(cluster.get(n1, "/api/cluster/tasks/t").getString("status")).as("the run ended before the task").isEqualTo("running");

    assertThat(awaitTask(n1, "t").getString("status")).isEqualTo("succeeded");
    eventually(() -> !cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "the switch is back off once the task has settled");
    assertThat(switchedOffBy(n1)).as(story(n1)).containsExactly("task:t");
  }

  /**
   * A run with a pause (a baseline step with chaos off) during a task that switched chaos on: its end switches chaos back
   * on for the task, and the task, settled, still switches it off. The run's end was the newest switch-on then, an
   * orchestration's, and the settle left chaos on for good.
   */
  @Test
  void aRunPausingChaosDuringATaskHandsTheSwitchBackToIt() throws Exception {
    Gateway n1 = runBesideATask(10, "name: baseline\nsteps:\n  - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 1}\n");
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running"), "the run ends");
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).as("the task has its switch back").isTrue();
    assertThat(cluster.get(n1, "/api/cluster/tasks/t").getString("status")).as("the run ended before the task").isEqualTo("running");

    assertThat(awaitTask(n1, "t").getString("status")).isEqualTo("succeeded");
    eventually(() -> !cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "the switch is back off once the task has settled");
  }

  /**
   * The other way round: the task settles during the run's pause. Its settle finds the run's switch-off the newest word
   * on the switch and waits for the run's end, which puts the switch back on as the tasks' (`kept_on_for`, none left);
   * then the settle switches it off. The settle took the pause for the last word and never came back, and the run's
   * end left chaos on for good.
   */
  @Test
  void aTaskSettlingDuringARunsPauseLeavesChaosOffAfterTheRun() throws Exception {
    Gateway n1 = runBesideATask(2, "name: baseline\nsteps:\n  - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 5}\n");
    assertThat(awaitTask(n1, "t").getString("status")).isEqualTo("succeeded");
    assertThat(cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running")).as("the task ended during the run")
        .isTrue();
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running"), "the run ends");
    eventually(() -> !cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "the tasks' switch, put back off after the run");
    assertThat(switchedOffBy(n1)).as(story(n1)).containsExactly("task:t");
    JsonObject restore = cluster.get(n1, "/api/chaos/changes?limit=200").getJsonArray("changes").stream().map(c -> (JsonObject) c)
        .filter(c -> "faultline.chaos.restore".equals(c.getString("address"))).findFirst().orElseThrow();
    assertThat(restore.getJsonArray("kept_on_for")).as(restore.encode()).isEmpty();
  }

  /** A node with a task {@code t} of {@code taskSeconds} whose chaos is on, and then its own run of {@code yaml}, started. */
  private Gateway runBesideATask(int taskSeconds, String yaml) throws Exception {
    Gateway n1 = cluster.start(0);
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"t\", \"duration_seconds\": " + taskSeconds + ", " + ERRORS + "}");
    eventually(() -> cluster.traffic(n1) == 503, "the task's chaos is on");
    JsonObject run = cluster.post(n1, "/api/chaos/orchestration/start", yaml);
    assertThat(run.getBoolean("is_running")).as(run.encode()).isTrue();
    return n1;
  }
}
