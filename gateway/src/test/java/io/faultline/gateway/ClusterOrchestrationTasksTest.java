package io.faultline.gateway;

import static io.faultline.gateway.ClusterFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Distributed tasks that carry an orchestration, on three clustered nodes: each item's run confines its
 * steps' chaos to its own node (seen by real clients of every node while the task runs), reports like
 * any run, and fails its item when it fails or its node dies.
 */
class ClusterOrchestrationTasksTest {

  private final ClusterFixture cluster = new ClusterFixture();

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Two short steps a client tells apart: 503s, then 500s. */
  private static final String STEPS = """
      [{"name": "unavailable", "scenario": {"config": {"fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}},
        "duration_seconds": 1},
       {"name": "faults", "scenario": {"config": {"fault_injection": {"http_errors": [500], "http_error_probability": 1.0}}},
        "duration_seconds": 1}]""";

  /** What one node's clients saw, in order: each status once per run of equal ones. */
  private record Seen(List<Integer> statuses, List<Long> nonOkAt) {
  }

  /** A task submitted while every node's traffic was sampled: the submission's answer and what each node's client saw. */
  private record Sampled(JsonObject submitted, Map<Gateway, Seen> seen) {
  }

  /**
   * Submits {@code task} on {@code node} and samples every node's traffic from before the submission's answer until
   * {@code done}: the answer can come after a run has begun (or ended: the node's store may wait out a slow backup).
   */
  private Sampled submitSampling(Gateway node, String task, List<Gateway> nodes, Supplier<Boolean> done) {
    Future<HttpResponse<Buffer>> answer = cluster.web.post(node.adminPort(), "127.0.0.1", "/api/cluster/tasks").sendBuffer(Buffer.buffer(task));
    Map<Gateway, Seen> seen = sample(nodes, done);
    return new Sampled(answer.await().bodyAsJsonObject(), seen);
  }

  /** Sends requests to every node in turn until {@code done}; answers, per node, what its client saw. */
  private Map<Gateway, Seen> sample(List<Gateway> nodes, Supplier<Boolean> done) {
    Map<Gateway, List<Integer>> statuses = nodes.stream().collect(Collectors.toMap(n -> n, n -> new ArrayList<>()));
    Map<Gateway, List<Long>> nonOk = nodes.stream().collect(Collectors.toMap(n -> n, n -> new ArrayList<>()));
    long deadline = System.nanoTime() + 60_000_000_000L;
    // the last round is one begun after done held: a round that ran while the task ended could see its last node's run
    // still on (its rule removed just after that node was asked), and a sequential run's final 200 went unseen
    for (boolean over = false; !over; ) {
      over = done.get();
      assertThat(System.nanoTime()).as("the task ends within 60 s").isLessThan(deadline);
      for (Gateway node : nodes) {
        int status = cluster.traffic(node);
        List<Integer> seen = statuses.get(node);
        if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
          seen.add(status);
        }
        if (status != 200) {
          nonOk.get(node).add(System.nanoTime());
        }
      }
    }
    return nodes.stream().collect(Collectors.toMap(n -> n, n -> new Seen(statuses.get(n), nonOk.get(n))));
  }

  private boolean ended(Gateway node, String id) {
    JsonObject task = cluster.get(node, "/api/cluster/tasks/" + id);
    return task.getString("status") != null && !task.getString("status").equals("running");
  }

  private static List<String> field(JsonObject task, String name) {
    return task.getJsonArray("items").stream().map(o -> String.valueOf(((JsonObject) o).getValue(name))).toList();
  }

  /** Both steps' chaos, in order, then none: {@code [200,] 503, 500, 200}. */
  private static void sawBothStepsInOrder(Seen seen) {
    List<Integer> statuses = seen.statuses().get(0) == 200 ? seen.statuses().subList(1, seen.statuses().size()) : seen.statuses();
    assertThat(statuses).as("503 while its first step ran, 500 while its second did, then nothing").containsExactly(503, 500, 200);
  }

  private void checkRunReport(Gateway askedOn, JsonObject item) throws InterruptedException {
    assertThat(item.getString("state")).as(item.encodePrettily()).isEqualTo("succeeded");
    assertThat(item.getString("run_status")).isEqualTo("succeeded");
    JsonObject summary = item.getJsonObject("report");
    assertThat(summary.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("name") + "=" + ((JsonObject) s).getString("status")))
        .containsExactly("unavailable=succeeded", "faults=succeeded");
    // The whole report, from the report endpoints of any node (here one that did not run it: it is handed over the event bus).
    eventually(() -> item.getString("run_id").equals(cluster.get(askedOn, summary.getString("href")).getString("id")),
        "the report of " + item.getString("run_id") + " reaches the node");
    JsonObject report = cluster.get(askedOn, summary.getString("href"));
    assertThat(report.getString("status")).isEqualTo("succeeded");
    assertThat(report.getJsonArray("log").encode()).contains("item " + item.getInteger("index") + " on node " + item.getString("node"));
  }

  @Test
  void reference000sTaskRunsTheOrchestrationOnItsTargetsOnlyInParallelThenSequentiallyFromTheLibrary() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);

    // Reference 000: DistributedTask { id, orchestration, target_nodes, coordination_mode, ... } (its complete example's steps)
    Sampled parallel = submitSampling(n2, """
        {"id": "task-1",
         "orchestration": {"name": "resilience-test", "steps": %s},
         "target_nodes": ["n1", "n2"],
         "coordination_mode": "Parallel",
         "started_at": null, "completed_at": null, "status": "Pending"}
        """.formatted(STEPS), nodes, () -> ended(n3, "task-1"));
    JsonObject submitted = parallel.submitted();
    assertThat(submitted.getString("mode")).as(submitted.encodePrettily()).isEqualTo("parallel");
    assertThat(submitted.getJsonArray("targets")).containsExactly("n1", "n2");
    assertThat(submitted.getJsonObject("orchestration").getString("name")).isEqualTo("resilience-test");
    sawBothStepsInOrder(parallel.seen().get(n1));
    sawBothStepsInOrder(parallel.seen().get(n2));
    assertThat(parallel.seen().get(n3).statuses()).as("n3 is no target: its traffic never changed").containsExactly(200);
    JsonObject done = cluster.get(n3, "/api/cluster/tasks/task-1");
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    assertThat(field(done, "node")).containsExactly("n1", "n2");
    checkRunReport(n3, done.getJsonArray("items").getJsonObject(0));
    checkRunReport(n3, done.getJsonArray("items").getJsonObject(1));
    for (Gateway node : nodes) {
      assertThat(cluster.get(node, "/api/chaos/rules").getJsonArray("rules")).as("no chaos left").isEmpty();
    }
    assertThat(cluster.get(n1, "/api/chaos/changes?limit=50").getJsonArray("changes").stream().map(c -> (JsonObject) c)
        .filter(c -> "task".equals(c.getString("source")) && "task-1".equals(c.getString("detail"))).map(c -> c.getString("address")))
        .as("the runs' chaos went through the control addresses, logged as the task's")
        .contains("faultline.chaos.rules.put", "faultline.chaos.rules.remove");

    String yaml = "name: resilience-test\nsteps: " + STEPS.replace("\n", " ") + "\n";
    assertThat(cluster.put(n1, "/api/chaos/orchestration/library/resilience-test", yaml).statusCode()).isEqualTo(200);
    eventually(() -> cluster.get(n3, "/api/chaos/orchestration/library/resilience-test").getString("text") != null, "the entry reaches n3");
    Map<Gateway, Seen> sequential = submitSampling(n3, "{\"id\": \"seq\", \"orchestration\": \"resilience-test\", \"mode\": \"sequential\"}",
        nodes, () -> ended(n1, "seq")).seen();
    nodes.forEach(node -> sawBothStepsInOrder(sequential.get(node)));
    assertThat(sequential.get(n1).nonOkAt().get(sequential.get(n1).nonOkAt().size() - 1))
        .as("n2's run began after n1's ended").isLessThan(sequential.get(n2).nonOkAt().get(0));
    assertThat(sequential.get(n2).nonOkAt().get(sequential.get(n2).nonOkAt().size() - 1))
        .as("n3's run began after n2's ended").isLessThan(sequential.get(n3).nonOkAt().get(0));
    JsonObject seq = cluster.get(n2, "/api/cluster/tasks/seq");
    assertThat(seq.getString("status")).as(seq.encodePrettily()).isEqualTo("succeeded");
    assertThat(field(seq, "node")).containsExactly("n1", "n2", "n3");
    for (int i = 0; i < 3; i++) {
      checkRunReport(n2, seq.getJsonArray("items").getJsonObject(i));
    }
    for (Gateway node : nodes) {
      assertThat(cluster.traffic(node)).isEqualTo(200);
    }
  }

  private HttpResponse<Buffer> submit(Gateway node, String body) {
    return cluster.web.post(node.adminPort(), "127.0.0.1", "/api/cluster/tasks").sendBuffer(Buffer.buffer(body)).await();
  }

  @Test
  void aNodeDyingMidItemOrARunThatFailsFailsItsItemAndTheNodesOwnRunGoesOnBeside() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    String hold = "{\"name\": \"hold\", \"steps\": [{\"name\": \"down\", \"scenario\": {\"config\": {\"fault_injection\":"
        + " {\"http_errors\": [503], \"http_error_probability\": 1.0}}}, \"duration_seconds\": 4}]}";
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"d\", \"orchestration\": " + hold + "}");
    eventually(() -> cluster.traffic(n1) == 503 && cluster.traffic(n2) == 503 && cluster.traffic(n3) == 503, "every item's run holds");

    // n1 leads, so it owns the node's run slot: an orchestration started now runs beside the task's, and its end
    // puts its own config back without taking the task's rule.
    JsonObject own = cluster.post(n2, "/api/chaos/orchestration/start",
        "name: own\nsteps:\n  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0.5}\n");
    assertThat(own.getBoolean("is_running")).as(own.encode()).isTrue();
    eventually(() -> !cluster.get(n1, "/api/chaos/orchestration/status").getBoolean("is_running", true), "the own run ends");
    assertThat(cluster.traffic(n1)).as("the task's chaos outlives the own run's restore").isEqualTo(503);

    cluster.kill(n3);
    eventually(() -> ended(n1, "d"), "task d ends");
    JsonObject died = cluster.get(n2, "/api/cluster/tasks/d");
    assertThat(died.getString("status")).as(died.encodePrettily()).isEqualTo("failed");
    assertThat(field(died, "state")).containsExactly("succeeded", "succeeded", "failed");
    assertThat(field(died, "run_status")).containsExactly("succeeded", "succeeded", "lost");
    assertThat(died.getJsonArray("items").getJsonObject(2).getString("result")).isEqualTo("node n3 failed before finishing");
    assertThat(cluster.get(n1, "/api/chaos/rules").getJsonArray("rules")).as("the dead node's rule is gone too").isEmpty();
    assertThat(cluster.traffic(n1)).isEqualTo(200);

    // No traffic reaches n2 during the step, so its error rate is not in [0.5, 1]: the run fails, and so does the item.
    cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"f\", \"target_nodes\": [\"n2\"], \"orchestration\": \"name: check\\nsteps:\\n"
        + "  - {name: expect-errors, scenario: slow_backend, duration_seconds: 0.5,"
        + " assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]}\\n\"}");
    eventually(() -> ended(n1, "f"), "task f ends");
    JsonObject failed = cluster.get(n1, "/api/cluster/tasks/f");
    assertThat(failed.getString("status")).as(failed.encodePrettily()).isEqualTo("failed");
    JsonObject item = failed.getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("run_status")).isEqualTo("failed");
    assertThat(item.getString("result")).startsWith("run " + item.getString("run_id") + " failed on n2: step expect-errors");
    assertThat(cluster.get(n1, item.getJsonObject("report").getString("href")).getString("status")).isEqualTo("failed");

    assertRefused(n1, "{\"orchestration\": \"no-such-entry\"}", "orchestration", "no library entry named no-such-entry");
    assertRefused(n1, "{\"orchestration\": {\"name\": \"x\", \"steps\": [{\"scenario\": \"slow_backend\"}]}}",
        "orchestration.steps[0].name", "invalid orchestration");
    assertRefused(n1, "{\"orchestration\": " + hold + ", \"mode\": \"parallel\", \"coordination_mode\": \"Parallel\"}",
        "coordination_mode", "both mode and coordination_mode are set");
    assertRefused(n1, "{\"orchestration\": " + hold + ", \"target_nodes\": [\"n3\"]}", "target_nodes", "node n3 is not a live node");
    assertRefused(n1, "{\"orchestration\": " + hold + ", \"duration_seconds\": 5}", "duration_seconds", "lasts as long as its run");
    assertRefused(n1, "{\"orchestration\": " + hold + ", \"coordination_mode\": \"RoundRobin\"}", "coordination_mode", "got RoundRobin");
    assertThat(cluster.get(n1, "/api/cluster/tasks").getJsonArray("tasks").stream().map(t -> ((JsonObject) t).getString("id")))
        .as("nothing refused was stored").containsExactly("d", "f");
  }

  private void assertRefused(Gateway node, String body, String field, String error) {
    HttpResponse<Buffer> response = submit(node, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo(field);
    assertThat(response.bodyAsJsonObject().getString("error")).contains(error);
  }

  /**
   * An item's run on a node that no longer holds the item gives up. When a node is cut off past the failure timeout, the
   * leader ends its items or hands them to another node (which runs the item under the same rule name); the run the node
   * still had went on when it came back: each step put the rule back matching this node, and its end removed the rule
   * the other node's run had put. Here the task map is changed as those do it, and n2's runs must end within a few
   * heartbeats: leaving the rule to the item's new holder, or removing it when the item ended.
   */
  @Test
  void aRunWhoseItemWasHandedOverOrEndedElsewhereGivesUp() throws Exception {
    List<Gateway> nodes = cluster.startTwo();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    com.hazelcast.map.IMap<String, String> map = ClusterFixture.hazelcast(n1).getMap("faultline.tasks");

    String moved = startLongItemOnN2(n1, n2, "moved");
    changeItem(map, "moved", item -> item.put("node", "n1").put("run_id", "run-elsewhere")); // handed to n1, which runs it
    eventually(() -> "stopped".equals(cluster.get(n2, "/api/chaos/orchestration/reports/" + moved).getString("status")),
        "n2's run gave up, not after its 120 s");
    assertThat(cluster.get(n2, "/api/chaos/orchestration/reports/" + moved).getJsonArray("errors").encode())
        .contains("is no longer this run's: it runs on node n1 now");
    assertThat(cluster.get(n2, "/api/chaos/rules").getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("name")))
        .as("the item's rule is n1's run's now: left as it is").containsExactly("task:moved:0");
    assertThat(cluster.get(n1, "/api/cluster/tasks/moved").getJsonArray("items").getJsonObject(0).getString("state"))
        .as("the item is n1's, untouched by n2's run's end").isEqualTo("running");

    String ended = startLongItemOnN2(n1, n2, "ended");
    changeItem(map, "ended", item -> item.put("state", "failed").put("result", "lost with its node"));
    eventually(() -> "stopped".equals(cluster.get(n2, "/api/chaos/orchestration/reports/" + ended).getString("status")),
        "n2's second run gave up");
    assertThat(cluster.get(n2, "/api/chaos/orchestration/reports/" + ended).getJsonArray("errors").encode())
        .contains("no node runs it now");
    eventually(() -> cluster.get(n2, "/api/chaos/rules").getJsonArray("rules").stream()
        .noneMatch(r -> ((JsonObject) r).getString("name").equals("task:ended:0")), "the ended item's rule removed: nobody holds it");
  }

  /** Submits task {@code id}: one item, on n2, a 120 s step of 503s; answers its run's id once the run is noted. */
  private String startLongItemOnN2(Gateway n1, Gateway n2, String id) throws InterruptedException {
    cluster.post(n1, "/api/cluster/tasks", """
        {"id": "%s", "mode": "parallel", "target_nodes": ["n2"], "orchestration": {"name": "%s", "steps": [
          {"name": "down", "scenario": {"config": {"fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}},
           "duration_seconds": 120}]}}""".formatted(id, id));
    eventually(() -> field(cluster.get(n1, "/api/cluster/tasks/" + id), "run_status").equals(List.of("running")), id + "'s run noted");
    eventually(() -> cluster.traffic(n2) == 503, "n2's run is on");
    return cluster.get(n1, "/api/cluster/tasks/" + id).getJsonArray("items").getJsonObject(0).getString("run_id");
  }

  /** Changes item 0 of task {@code id} in the task map, as the leader's hand-over or end of a lost item does. */
  private static void changeItem(com.hazelcast.map.IMap<String, String> map, String id, java.util.function.Consumer<JsonObject> change) {
    JsonObject task = new JsonObject(map.get(id));
    change.accept(task.getJsonArray("items").getJsonObject(0));
    map.set(id, task.encode());
  }

  @Test
  void cancellingAnOrchestrationTaskStopsEachItemsRunOnItsNode() throws Exception {
    List<Gateway> nodes = cluster.startThree();
    Gateway n1 = nodes.get(0);
    Gateway n2 = nodes.get(1);
    Gateway n3 = nodes.get(2);
    cluster.post(n1, "/api/cluster/tasks", """
        {"id": "long", "mode": "parallel", "target_nodes": ["n1", "n2"], "orchestration": {"name": "long", "steps": [
          {"name": "down", "scenario": {"config": {"fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}},
           "duration_seconds": 120}]}}""");
    eventually(() -> cluster.traffic(n1) == 503 && cluster.traffic(n2) == 503, "both targets' runs are on");
    eventually(() -> field(cluster.get(n3, "/api/cluster/tasks/long"), "run_status").equals(List.of("running", "running")),
        "both runs noted");

    // through the GraphQL control API of the node that runs none of it
    JsonObject graphql = cluster.postForResponse(n3, "/graphql", new JsonObject().put("query", "mutation { cancelTask(id: \"long\") }")
        .encode()).bodyAsJsonObject();
    assertThat(graphql.getJsonObject("data").getJsonObject("cancelTask").getString("status")).as(graphql.encode()).isEqualTo("cancelled");
    eventually(() -> cluster.traffic(n1) == 200 && cluster.traffic(n2) == 200, "both runs stopped, not after their 120 s");
    eventually(() -> field(cluster.get(n3, "/api/cluster/tasks/long"), "state").equals(List.of("cancelled", "cancelled")),
        "both items closed");
    JsonObject task = cluster.get(n3, "/api/cluster/tasks/long");
    assertThat(field(task, "run_status")).containsExactly("stopped", "stopped");
    assertThat(task.getJsonArray("items").getJsonObject(0).getString("result")).startsWith("cancelled while it ran: run run-")
        .contains(" stopped on n1");
    for (Gateway node : nodes) {
      assertThat(cluster.get(node, "/api/chaos/rules").getJsonArray("rules")).as("no chaos left").isEmpty();
    }
    // the item's run switched chaos on; the settled task switches it off again
    eventually(() -> !cluster.get(n3, "/api/chaos/status").getBoolean("enabled"), "the switch is back off");
  }
}
