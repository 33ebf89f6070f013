package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.gateway.config.Flag;
import io.faultline.history.HistoryAddresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History through the real gateway: orchestrations run on real traffic to a real upstream, are recorded,
 * scored, compared, exported and found again after a restart; the A/B test and the breaking-point search
 * drive the real chaos state.
 */
class HistoryTest {

  static final String CALM = """
      name: calm
      tags: [release-a]
      steps:
        - name: steady
          scenario: {config: {enabled: false}}
          duration_seconds: 1.2
          assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.1}]
      """;
  static final String FAILING = """
      name: failing
      tags: [release-b]
      steps:
        - name: half
          scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 0.5}}}
          duration_seconds: 1.2
          assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.1}]
      """;

  @TempDir
  Path dir;

  private GatewayFixture gw;
  private SteadyTraffic traffic;

  @AfterEach
  void stop() {
    if (traffic != null) {
      traffic.close();
    }
    if (gw != null) {
      gw.close();
    }
  }

  private String start(String yaml) {
    var started = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(yaml)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    return started.bodyAsJsonObject().getString("run_id");
  }

  /** Runs an orchestration and answers its history entry once recorded. */
  private JsonObject recorded(String yaml) throws InterruptedException {
    String id = start(yaml);
    return eventually(() -> {
      var r = gw.get("/api/history/runs/" + id);
      return r.statusCode() == 200 ? r.bodyAsJsonObject() : null;
    }, 30);
  }

  /** Waits for an experiment to end; answers it. */
  private JsonObject ended(String id) throws InterruptedException {
    return eventually(() -> {
      JsonObject e = gw.get("/api/history/experiments/" + id).bodyAsJsonObject();
      return "running".equals(e.getString("status")) ? null : e;
    }, 60);
  }

  /** The CLI's A/B test takes the API's alpha, seed and min_requests (they reach the API: a bad one is its refusal). */
  @Test
  void theCliGivesAnAbTestItsAlphaSeedAndFewestRequests() {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine line = Main.commandLine();
    line.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
    line.setErr(new java.io.PrintWriter(err, true));
    int exit = line.execute("history", "ab", "--admin-url=http://127.0.0.1:" + gw.gateway.adminPort(), "--a", "x", "--b", "y",
        "--alpha", "0.7", "--seed", "9", "--min-requests", "3");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("alpha").contains("below 0.5");
  }

  /** Runs the CLI in-process; answers what it printed (it must succeed). */
  private static String cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine line = Main.commandLine();
    line.setOut(new java.io.PrintWriter(out, true));
    line.setErr(new java.io.PrintWriter(err, true));
    assertThat(line.execute(args)).as(err.toString()).isZero();
    return out.toString();
  }

  static <T> T eventually(Supplier<T> probe, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      assertThat(System.nanoTime()).as("waited %d s", seconds).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void calmAndFailingRunsAreScoredComparedExportedAndFoundAfterARestart() throws Exception {
    Map<Flag, String> flags = Map.of(Flag.STATE_DIR, dir.toString(), Flag.SEED, "42");
    gw = new GatewayFixture(flags);
    traffic = new SteadyTraffic(gw);
    JsonObject calm = recorded(CALM);
    JsonObject failing = recorded(FAILING);
    JsonObject calmAgain = recorded(CALM);
    traffic.close();

    // scored in the right order, from what was measured; the same run in the same conditions scores the same
    assertThat(calm.getDouble("resilience_score")).isEqualTo(100.0);
    assertThat(calmAgain.getDouble("resilience_score")).isEqualTo(calm.getDouble("resilience_score"));
    // half the requests failed: the error component is about 0.5 and the failed step and assertion score 0
    assertThat(failing.getDouble("resilience_score")).isBetween(20.0, 50.0);
    assertThat(failing.getJsonObject("resilience").getJsonObject("components").getJsonObject("errors").getDouble("value"))
        .isBetween(0.3, 0.7); // 0.5 ± 0.2: over ~100 requests the seeded error share is within a few points of 0.5
    assertThat(failing.getJsonArray("tags")).containsExactly("release-b");

    JsonArray list = gw.get("/api/history/runs?limit=10").bodyAsJsonObject().getJsonArray("runs");
    assertThat(list).hasSize(3);
    assertThat(gw.get("/api/history/runs?tag=release-b").bodyAsJsonObject().getJsonArray("runs")).hasSize(1);
    assertThat(gw.get("/api/history/runs?min_score=90").bodyAsJsonObject().getJsonArray("runs")).hasSize(2);

    // compared: a significant difference in error rate
    JsonObject compare = gw.get("/api/history/compare?ids=" + calm.getString("id") + "," + failing.getString("id")).bodyAsJsonObject();
    JsonObject errorTest = compare.getJsonArray("tests").getJsonObject(0).getJsonObject("error_rate");
    // 0 of ~100 against ~50 of ~100: z is about 8, p far below 0.001
    assertThat(errorTest.getDouble("p_value")).isLessThan(0.001);
    assertThat(compare.getJsonArray("tests").getJsonObject(0).getJsonObject("latency").getLong("count_a")).isPositive();
    assertThat(compare.getJsonObject("ranking").getJsonArray("ids").getString(0)).isIn(calm.getString("id"), calmAgain.getString("id"));
    assertThat(compare.getJsonArray("steps")).hasSize(2);
    JsonObject failingSide = compare.getJsonArray("runs").getJsonObject(1);
    assertThat(failingSide.getValue("request_count")).as("a count is a whole number").isNotInstanceOf(Double.class);
    assertThat(failingSide.getJsonObject("delta").getValue("error_count")).isNotInstanceOf(Double.class)
        .isEqualTo(failingSide.getValue("error_count"));
    JsonObject byErrors = gw.get("/api/history/compare?rank_by=error_count&ids=" + failing.getString("id") + "," + calm.getString("id"))
        .bodyAsJsonObject().getJsonObject("ranking");
    assertThat(byErrors.getBoolean("higher_is_better")).isFalse();
    assertThat(byErrors.getJsonArray("ids").getString(0)).isEqualTo(calm.getString("id"));

    JsonObject trends = gw.get("/api/history/trends/calm?days=30").bodyAsJsonObject();
    assertThat(trends.getInteger("runs")).isEqualTo(2);
    assertThat(trends.getDouble("success_rate")).isEqualTo(100.0);
    assertThat(trends.getJsonObject("trend").getString("direction")).isEqualTo("insufficient_data");

    // the same over the event bus
    JsonObject summary = gw.gateway.vertx().eventBus().<JsonObject>request(HistoryAddresses.SUMMARY, new JsonObject()).await().body();
    assertThat(summary.getInteger("runs")).isEqualTo(3);
    double average = summary.getDouble("avg_resilience_score");
    assertThat(average).as("to the 0.1 of a score").isEqualTo(Math.round(average * 10) / 10.0);

    // the CLI over the admin API
    String url = "--admin-url=http://127.0.0.1:" + gw.gateway.adminPort();
    assertThat(cli("history", "list", url, "--tag", "release-b")).contains(failing.getString("id")).doesNotContain(calm.getString("id"));
    assertThat(cli("history", "show", url, calm.getString("id"))).contains("\"resilience_score\" : 100.0");
    assertThat(cli("history", "trends", url, "calm", "--days", "7")).contains("insufficient_data");
    assertThat(cli("history", "compare", url, calm.getString("id"), failing.getString("id"))).contains("two-proportion");
    Path exported = dir.resolve("history.csv");
    cli("history", "export", url, "--format", "csv", "--output", exported.toString());
    assertThat(java.nio.file.Files.readAllLines(exported).get(0)).startsWith("id,name,status");
    // an existing file is kept unless --force; the filters are list's
    picocli.CommandLine line = Main.commandLine();
    line.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
    assertThat(line.execute("history", "export", url, "--format", "json", "--output", exported.toString())).isEqualTo(2);
    assertThat(java.nio.file.Files.readAllLines(exported).get(0)).startsWith("id,name,status");
    cli("history", "export", url, "--format", "csv", "--output", exported.toString(), "--force", "--tag", "release-b");
    assertThat(java.nio.file.Files.readAllLines(exported)).hasSize(2).last().asString().contains(failing.getString("id"));
    assertThat(cli("history", "export", url, "--format", "csv", "--output", "-", "--tag", "release-a")).startsWith("id,name,status")
        .contains(calm.getString("id"));
    java.io.StringWriter err = new java.io.StringWriter();
    line.setErr(new java.io.PrintWriter(err, true));
    assertThat(line.execute("history", "export", url, "--output", dir.resolve("no/such/dir.csv").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no such directory " + dir.resolve("no/such"));
    // an export cut short says so (the file alone looked like every run there is)
    Path cut = dir.resolve("cut.csv");
    assertThat(line.execute("history", "export", url, "--limit", "1", "--output", cut.toString())).isZero();
    assertThat(java.nio.file.Files.readAllLines(cut)).hasSize(2);
    assertThat(err.toString()).contains("faultline: the export holds the newest 1 runs of more that match; narrow it with --since and --until");
    assertThat(new JsonObject(cli("recorder", "search", url, "--status-code", "503")).getInteger("count")).isPositive();

    // exported as CSV, parsed back
    var csv = gw.get("/api/history/export?format=csv");
    assertThat(csv.getHeader("Content-Type")).startsWith("text/csv");
    List<String> lines = List.of(csv.bodyAsString().split("\r\n"));
    assertThat(lines).hasSize(4);
    List<String> header = List.of(lines.get(0).split(","));
    List<String> row = List.of(lines.get(1 + list.stream().map(o -> ((JsonObject) o).getString("id")).toList()
        .indexOf(failing.getString("id"))).split(","));
    assertThat(row.get(header.indexOf("id"))).isEqualTo(failing.getString("id"));
    assertThat(Double.parseDouble(row.get(header.indexOf("resilience_score")))).isEqualTo(failing.getDouble("resilience_score"));
    assertThat(row.get(header.indexOf("tags"))).isEqualTo("release-b");

    // found again after a restart, with the same figures
    gw.close();
    gw = new GatewayFixture(flags);
    JsonObject again = gw.get("/api/history/runs/" + failing.getString("id")).bodyAsJsonObject();
    assertThat(again.getDouble("resilience_score")).isEqualTo(failing.getDouble("resilience_score"));
    assertThat(gw.get("/api/history/runs").bodyAsJsonObject().getJsonArray("runs")).hasSize(3);
  }

  @Test
  void abTestPicksTheCalmerVariant() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.SEED, "7"));
    var started = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM))
        .put("b", new JsonObject().put("text", FAILING)).put("samples", 4).encode());
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    traffic = new SteadyTraffic(gw); // begun with the test: its first sample mostly has no calm window before it
    String id = started.bodyAsJsonObject().getString("id");
    // while it runs, between its samples too, another run is refused (one got in between two samples, and the test
    // then failed): tried every 50 ms until it has ended
    int refused = 0;
    java.util.Set<Long> seeds = new java.util.HashSet<>();
    while ("running".equals(gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status"))) {
      seeds.add(gw.status().getLong("seed"));
      var other = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start")
          .sendBuffer(Buffer.buffer("name: other\nsteps: [{name: s, scenario: {config: {enabled: false}}, duration_seconds: 0.2}]\n")).await();
      if (other.statusCode() != 409) {
        // only once the A/B test's runs are over (its last may end between the look and the start; its status follows
        // within moments): never while one runs
        long deadline = System.nanoTime() + 2_000_000_000L;
        while ("running".equals(gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status"))
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status")).as(other.bodyAsString())
            .isNotEqualTo("running");
        gw.admin(HttpMethod.POST, "/api/chaos/orchestration/stop").send().await();
        break;
      }
      refused++;
      Thread.sleep(50);
    }
    assertThat(refused).as("tried while it ran").isGreaterThan(10);
    JsonObject done = ended(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    JsonObject result = done.getJsonObject("result");
    assertThat(result.getString("winner")).as(result.getString("conclusion")).isEqualTo("a");
    // 4 runs a side, every calm score above every failing one: the exact permutation p is 2/70
    assertThat(result.getJsonObject("test").getDouble("p_value")).isCloseTo(2.0 / 70, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(result.getJsonObject("a").getJsonArray("runs")).hasSize(4);
    // every sample scored against one baseline: the first sample's calm window when it had one (20 requests before it:
    // a slow start of the test gives it one), else the fault-free steps of all samples (A's calm ones) pooled
    JsonObject baseline = result.getJsonObject("baseline");
    JsonObject first = gw.get("/api/history/runs/" + result.getJsonObject("a").getJsonArray("runs").getString(0)).bodyAsJsonObject();
    if ("pre_run_window".equals(first.getJsonObject("resilience").getJsonObject("baseline").getString("source"))) {
      assertThat(baseline).isEqualTo(first.getJsonObject("resilience").getJsonObject("baseline"));
    } else {
      long calmRequests = result.getJsonObject("a").getJsonArray("runs").stream()
          .map(run -> gw.get("/api/history/runs/" + run).bodyAsJsonObject().getJsonArray("steps").getJsonObject(0))
          .mapToLong(step -> step.getJsonObject("metrics").getLong("request_count")).sum();
      assertThat(baseline.getString("source")).as(baseline.encode()).isEqualTo("fault_free_steps");
      assertThat(baseline.getLong("request_count")).isEqualTo(calmRequests);
    }
    // each sample drew from a seed of its own (with the node's every sample replayed the same draws), and the
    // node's seed is back
    seeds.remove(7L);
    assertThat(seeds).as("sample seeds seen while it ran").hasSizeGreaterThanOrEqualTo(5);
    assertThat(gw.status().getLong("seed")).isEqualTo(7L);
  }

  @Test
  void breakingPointFindsTheConfiguredThresholdWithinOneStep() throws Exception {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    var started = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 500, "step": 100, "step_seconds": 1,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 250}}""");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    JsonObject done = ended(started.bodyAsJsonObject().getString("id"));
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    JsonObject result = done.getJsonObject("result");
    // the threshold (250 ms of p95) lies between 200 and 300 ms of injected delay: found within one step
    assertThat(result.getDouble("highest_holding")).as(result.encodePrettily()).isEqualTo(200.0);
    assertThat(result.getDouble("first_failing")).isEqualTo(300.0);
    assertThat(gw.status().getBoolean("enabled")).as("the config before the search is back").isFalse();
    JsonArray changes = gw.get("/api/history/changes").bodyAsJsonObject().getJsonArray("changes");
    assertThat(changes.stream().map(c -> ((JsonObject) c).getString("source"))).contains("experiment");

    // bisecting a whole-number field tries, records and reports the values it applied (midpoints such as 22.5 were
    // applied as 23 and reported as 22.5: "39.0625 held, 40.625 broke")
    var bisect = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 60, "method": "bisect", "resolution": 2, "step_seconds": 0.5,
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(bisect.statusCode()).as(bisect.bodyAsString()).isEqualTo(202);
    JsonObject bisected = ended(bisect.bodyAsJsonObject().getString("id"));
    assertThat(bisected.getString("status")).as(bisected.encodePrettily()).isEqualTo("succeeded");
    JsonObject found = bisected.getJsonObject("result");
    assertThat(found.getJsonArray("tried").size()).as(found.encodePrettily()).isGreaterThan(3);
    assertThat(found.getJsonArray("tried").stream().map(t -> ((JsonObject) t).getDouble("value")))
        .allSatisfy(v -> assertThat(v).as(found.encodePrettily()).isEqualTo(Math.rint(v)));
    assertThat(found.getDouble("first_failing") - found.getDouble("highest_holding")).isBetween(1.0, 2.0);
    var fraction = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 10, "step": 2.5,
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(fraction.statusCode()).isEqualTo(400);
    assertThat(fraction.bodyAsJsonObject().getString("field")).isEqualTo("step");
    assertThat(fraction.bodyAsJsonObject().getString("error")).contains("must be a whole number for latency.fixed_delay_ms");
    // the base is checked with the value searched in it, as each step sets it: a random delay beside the fixed one searched
    // was refused only at the second step, the search failed after changing chaos; and a probability of 0 injects nothing
    var beside = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 50, "base": {"latency": {"random_delay_range_ms": [0, 50]}},
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(beside.statusCode()).as(beside.bodyAsString()).isEqualTo(400);
    assertThat(beside.bodyAsJsonObject().getString("field")).startsWith("base.latency");
    var never = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 50, "base": {"latency": {"probability": 0}},
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(never.statusCode()).as(never.bodyAsString()).isEqualTo(400);
    assertThat(never.bodyAsJsonObject().getString("field")).isEqualTo("base.latency.probability");
    // bisect's default resolution (a sixteenth of the range) is no finer than the values: from 0 to 10 ms it was 0.625 and
    // refused, naming a resolution never given
    var small = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 10, "method": "bisect", "step_seconds": 600,
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(small.statusCode()).as(small.bodyAsString()).isEqualTo(202);
    JsonObject stopped = gw.post("/api/history/experiments/" + small.bodyAsJsonObject().getString("id") + "/stop").bodyAsJsonObject();
    assertThat(stopped.getString("status")).as(stopped.encode()).isEqualTo("stopped");
    // a step that does not land on to: to itself is tried last (0, 20, 40 and never 50 were tried)
    var uneven = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 20, "step_seconds": 0.5,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""");
    assertThat(uneven.statusCode()).as(uneven.bodyAsString()).isEqualTo(202);
    JsonObject unevenDone = ended(uneven.bodyAsJsonObject().getString("id"));
    assertThat(unevenDone.getJsonObject("result").getJsonArray("tried").stream().map(t -> ((JsonObject) t).getDouble("value")))
        .as(unevenDone.encodePrettily()).containsExactly(0.0, 20.0, 40.0, 50.0);
    // at most 100 values: 0 to 100 by 1 is 101 (it was taken); a base whose searched section is no object is refused naming it (a 500)
    var many = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 1,
         "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""");
    assertThat(many.statusCode()).as(many.bodyAsString()).isEqualTo(400);
    assertThat(many.bodyAsJsonObject().getString("field")).isEqualTo("step");
    for (String section : List.of("100", "null", "[1]")) {
      var flat = gw.postJson("/api/history/breaking-point", """
          {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 50, "base": {"latency": %s},
           "assertion": {"metric": "p50_latency", "operator": "less_than", "threshold": 25}}""".formatted(section));
      assertThat(flat.statusCode()).as(flat.bodyAsString()).isEqualTo(400);
      assertThat(flat.bodyAsJsonObject().getString("field")).isEqualTo("base.latency");
      assertThat(flat.bodyAsJsonObject().getString("error")).startsWith("must be an object");
    }
  }

  @Test
  void aBreakingPointSearchGivesWayToTheKillSwitchAndToNoOrchestrationAndARestartEndsIt() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    traffic = new SteadyTraffic(gw);
    String search = """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 5, "step_seconds": %s,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""";
    var started = gw.postJson("/api/history/breaking-point", search.formatted("600"));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    eventually(() -> gw.status().getBoolean("enabled") ? true : null, 10);
    // while it sets the chaos config itself: a second experiment and an orchestration are refused (409), not run over it
    assertThat(gw.postJson("/api/history/breaking-point", search.formatted("1")).statusCode()).isEqualTo(409);
    var orchestration = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start")
        .sendBuffer(Buffer.buffer("name: o\nsteps: [{name: s, scenario: {config: {enabled: false}}, duration_seconds: 0.2}]\n")).await();
    assertThat(orchestration.statusCode()).as(orchestration.bodyAsString()).isEqualTo(409);
    assertThat(orchestration.bodyAsJsonObject().getString("error")).contains("experiment " + id + " is setting the chaos config");
    // the kill switch: chaos off stays off, and the search ends at once saying why (it held the config to its step's end)
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    long pressed = System.nanoTime();
    JsonObject done = ended(id);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pressed)).as("ended long before its 600 s step").isLessThan(20_000L);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).contains("the chaos config was changed by another").contains("left the config as that change set it");
    Thread.sleep(1_500); // nothing switches chaos on again
    assertThat(gw.status().getBoolean("enabled")).isFalse();

    // a node that stops (SIGTERM) stops its experiment first, as a stop would (the config it found put back: in a
    // cluster, the search's step config stayed on the other nodes), and the experiment ends "stopped": closed under it,
    // its row stayed "running" until the node came back and marked it interrupted
    var longOne = gw.postJson("/api/history/breaking-point", search.formatted("3600"));
    assertThat(longOne.statusCode()).as(longOne.bodyAsString()).isEqualTo(202);
    String cut = longOne.bodyAsJsonObject().getString("id");
    eventually(() -> gw.status().getBoolean("enabled") ? true : null, 10);
    traffic.close();
    traffic = null;
    gw.close();
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    JsonObject after = gw.get("/api/history/experiments/" + cut).bodyAsJsonObject();
    assertThat(after.getString("status")).as(after.encodePrettily()).isEqualTo("stopped");
    assertThat(after.getLong("ended_at")).isNotNull();
    assertThat(after.getJsonObject("result").getString("conclusion")).startsWith("stopped after ");
  }

  /** Starts a search of {@code stepSeconds} a value and, once its chaos is on, puts a rule; answers its id. */
  private String searchThenPutARule(int stepSeconds) throws Exception {
    var started = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 5, "step_seconds": %d,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""".formatted(stepSeconds));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    eventually(() -> gw.status().getBoolean("enabled") ? true : null, 10);
    var rule = gw.postJson("/api/chaos/rules", "{\"name\": \"canary-errors\", \"match\": {\"headers\": {\"X-Canary\": \"yes\"}},"
        + " \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
    assertThat(rule.statusCode()).as(rule.bodyAsString()).isEqualTo(201);
    return started.bodyAsJsonObject().getString("id");
  }

  /** Chaos off and no latency, as before the search, with the rule put during it. */
  private void theConfigIsBackWithTheRule() {
    assertThat(gw.status().getBoolean("enabled")).as("the config before the search is back").isFalse();
    assertThat(gw.status().getJsonObject("config").getValue("latency")).isNull();
    assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream()
        .map(r -> ((JsonObject) r).getString("name")).toList()).containsExactly("canary-errors");
  }

  /**
   * A rule put during a step ends the search (that step's window saw the rule's chaos too), and as the change was to the
   * rules alone the config it found is put back, the rule kept: it left its own step's chaos on.
   */
  @Test
  void aRulePutDuringABreakingPointSearchEndsItAndPutsItsConfigBack() throws Exception {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    String id = searchThenPutARule(1);

    JsonObject done = ended(id);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).contains("put back the config it found (the change was to the rules, which stay)");
    theConfigIsBackWithTheRule();
  }

  /**
   * A rule put during a long step ends the search at once, not at the step's end (up to step_seconds later, the search
   * holding the config meanwhile), and the config it found comes back with the rule kept.
   */
  @Test
  void aRulePutDuringALongStepEndsTheSearchAtOnce() throws Exception {
    gw = new GatewayFixture(Map.of());
    long asked = System.nanoTime();
    String id = searchThenPutARule(600);

    JsonObject done = ended(id);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)).as("long before the 600 s step's end").isLessThan(20_000L);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).contains("put back the config it found (the change was to the rules, which stay)");
    theConfigIsBackWithTheRule();
  }

  @Test
  void aStoppedBreakingPointSearchPutsTheConfigBackAndKeepsWhatItFound() throws Exception {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    var started = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 5, "step_seconds": 0.5,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    // let it try a value or two, then stop it through the CLI, as a user would
    eventually(() -> {
      JsonObject progress = gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getJsonObject("progress");
      return progress != null && progress.getJsonArray("tried").size() >= 1 ? true : null;
    }, 20);
    long asked = System.nanoTime();
    JsonObject stopped = new JsonObject(cli("history", "stop", "--admin-url=http://127.0.0.1:" + gw.gateway.adminPort(), id));
    // answered once stopped, not after the step's 0.5 s or the search's 11 values
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)).isLessThan(5_000);
    assertThat(stopped.getString("status")).as(stopped.encodePrettily()).isEqualTo("stopped");
    assertThat(stopped.getString("error")).isNull();
    JsonObject partial = stopped.getJsonObject("result");
    assertThat(partial.getString("conclusion")).startsWith("stopped after ").contains("value");
    JsonArray tried = partial.getJsonArray("tried");
    assertThat(tried).isNotEmpty();
    // every value held (p95 far below 5 s): the highest is the last one tried before the stop
    assertThat(partial.getDouble("highest_holding")).isEqualTo(tried.getJsonObject(tried.size() - 1).getDouble("value"));
    assertThat(partial.getString("conclusion")).isEqualTo("stopped after " + tried.size() + " value" + (tried.size() == 1 ? "" : "s")
        + " tried: the assertion p95_latency less_than 5000.0 held at every value tried, up to " + partial.getDouble("highest_holding"));
    assertThat(partial.getValue("first_failing")).isNull();
    assertThat(gw.status().getBoolean("enabled")).as("the config before the search is back").isFalse();
    assertThat(gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status")).isEqualTo("stopped");
    Thread.sleep(700); // longer than a step: nothing switches chaos on again
    assertThat(gw.status().getBoolean("enabled")).isFalse();

    // stopping it again, one that does not exist, or when none runs: each says why
    var again = gw.post("/api/history/experiments/" + id + "/stop");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("experiment " + id + " has ended (stopped)");
    JsonObject graphql = gw.postJson("/graphql", new JsonObject().put("query", "mutation($id: String!) { stopExperiment(id: $id) }")
        .put("variables", new JsonObject().put("id", id)).encode()).bodyAsJsonObject();
    assertThat(graphql.getJsonArray("errors").getJsonObject(0).getString("message")).as(graphql.encode())
        .contains("experiment " + id + " has ended (stopped)");
    var unknown = gw.post("/api/history/experiments/breaking_point-nothere/stop");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("error")).contains("no experiment breaking_point-nothere");
    var none = gw.gateway.vertx().eventBus().request(HistoryAddresses.EXPERIMENT_STOP, new JsonObject())
        .toCompletionStage().toCompletableFuture();
    assertThatThrownBy(none::join).hasMessageContaining("no experiment is running on this node");
  }

  /** An A/B variant long enough to be caught running: 503s at half the requests for a minute. */
  static final String LONG_FAILING = FAILING.replace("duration_seconds: 1.2", "duration_seconds: 60");

  /** Starts an A/B test of LONG_FAILING against CALM on a new gateway with traffic; answers its id once A's first run has chaos on. */
  private String abWithItsFirstSampleRunning() throws InterruptedException {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    var started = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", LONG_FAILING))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).encode());
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    eventually(() -> gw.status().getBoolean("enabled") ? true : null, 10);
    return id;
  }

  /**
   * An A/B test run while a scenario is active leaves it as it found it: the scenario still on, and its stop still
   * going back to the config from before it. Each sample's seed was set by writing the whole config back, which made
   * the scenario's own config what its stop returned to: chaos stayed switched on after the stop.
   */
  @Test
  void anAbTestLeavesAnActiveScenarioToStopBackToTheConfigBeforeIt() throws Exception {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    JsonObject before = gw.get("/api/chaos/config").bodyAsJsonObject();
    assertThat(gw.post("/api/chaos/scenarios/service_instability").statusCode()).isEqualTo(200);
    var started = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).encode());
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    JsonObject done = ended(started.bodyAsJsonObject().getString("id"));
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    assertThat(gw.status().getString("scenario")).isEqualTo("service_instability");
    assertThat(before.containsKey("seed")).as("the node had no seed").isFalse();
    assertThat(gw.get("/api/chaos/config").bodyAsJsonObject().containsKey("seed")).as("and has none again").isFalse();
    assertThat(gw.post("/api/chaos/scenarios/stop").statusCode()).isEqualTo(200);
    JsonObject after = gw.get("/api/chaos/config").bodyAsJsonObject();
    after.remove("seed");
    before.remove("seed");
    assertThat(after).as("the config the scenario's stop went back to").isEqualTo(before);
  }

  /** A sample that outlasts sample_timeout_seconds fails the test and is stopped: it went on, chaos on, for nobody. */
  @Test
  void aSampleRunPastItsTimeoutIsStoppedWithTheTest() throws Exception {
    gw = new GatewayFixture(Map.of());
    traffic = new SteadyTraffic(gw);
    var started = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", LONG_FAILING))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).put("sample_timeout_seconds", 2).encode());
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    JsonObject done = eventually(() -> {
      JsonObject experiment = gw.get("/api/history/experiments/" + id).bodyAsJsonObject();
      return "running".equals(experiment.getString("status")) ? null : experiment;
    }, 20);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("failed");
    assertThat(done.encode()).contains("was not recorded within 2 s");
    eventually(() -> gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running") ? null : true, 10);
    assertThat(gw.status().getBoolean("enabled")).as("the sample run's config is undone").isFalse();
  }

  @Test
  void aStoppedAbTestStopsItsRunAndPutsTheConfigBack() throws Exception {
    String id = abWithItsFirstSampleRunning();
    // a second one is refused as that experiment's, not as the orchestration its sample is
    var second = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).encode());
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(second.bodyAsJsonObject().getString("error")).isEqualTo("experiment " + id + " (ab) is running; wait for it to end");
    var stop = gw.post("/api/history/experiments/" + id + "/stop");
    assertThat(stop.statusCode()).as(stop.bodyAsString()).isEqualTo(200);
    JsonObject stopped = stop.bodyAsJsonObject();
    assertThat(stopped.getString("status")).isEqualTo("stopped");
    assertThat(stopped.getJsonObject("result").getString("conclusion")).isEqualTo("stopped after 0 run(s) of A and 0 of B: no comparison made");
    String stoppedRun = stopped.getJsonObject("result").getString("stopped_run");
    assertThat(gw.status().getBoolean("enabled")).as("the sample run's config is undone").isFalse();
    assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();
    // the stopped sample run is in history as stopped; no further sample starts
    Thread.sleep(1_500);
    JsonArray runs = gw.get("/api/history/runs").bodyAsJsonObject().getJsonArray("runs");
    assertThat(runs).hasSize(1);
    assertThat(runs.getJsonObject(0).getString("status")).isEqualTo("stopped");
    assertThat(runs.getJsonObject(0).getString("id")).as("the result names the run it stopped").isEqualTo(stoppedRun);
    assertThat(gw.status().getBoolean("enabled")).isFalse();
  }

  @Test
  void anAbTestEndsWhenTheKillSwitchStopsItsRunAndRefusesSamplesWithoutTraffic() throws Exception {
    String id = abWithItsFirstSampleRunning();
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    JsonObject done = ended(id);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).startsWith("sample run ").contains(" of A was stopped (chaos was switched off")
        .endsWith(": the A/B test ended with it");
    Thread.sleep(1_500); // the next sample would have switched chaos on again
    assertThat(gw.status().getBoolean("enabled")).isFalse();
    assertThat(gw.get("/api/history/runs").bodyAsJsonObject().getJsonArray("runs")).hasSize(1);

    // the kill switch pressed when no sample run is going (here: as the test starts, before its first) ends it too: the
    // next sample switched chaos on again, and the test ran on
    var pressedEarly = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).encode());
    assertThat(pressedEarly.statusCode()).as(pressedEarly.bodyAsString()).isEqualTo(202);
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    JsonObject early = ended(pressedEarly.bodyAsJsonObject().getString("id"));
    assertThat(early.getString("status")).as(early.encodePrettily()).isEqualTo("failed");
    assertThat(early.getString("error")).contains("chaos was switched off");
    assertThat(gw.status().getBoolean("enabled")).isFalse();

    // with no traffic, a sample measures nothing (it scored 100 and the test compared empty runs)
    traffic.close();
    traffic = null;
    // (variables: null is none: it failed on field a with a Java message)
    var quiet = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM).putNull("variables"))
        .put("b", new JsonObject().put("text", FAILING)).put("samples", 2).encode());
    assertThat(quiet.statusCode()).as(quiet.bodyAsString()).isEqualTo(202);
    JsonObject empty = ended(quiet.bodyAsJsonObject().getString("id"));
    assertThat(empty.getString("status")).isEqualTo("failed");
    assertThat(empty.getString("error")).matches("sample run run-[0-9a-f]{12} of A saw 0 requests \\(min_requests 1\\): an A/B test"
        + " compares what traffic saw; send traffic through the gateway while it runs \\(in a cluster, through the node that runs"
        + " the sample runs, the leader: a run measures the traffic of the node it runs on\\)");
    var badMin = gw.postJson("/api/history/ab", new JsonObject().put("a", "x").put("b", "y").put("min_requests", 0).encode());
    assertThat(badMin.statusCode()).isEqualTo(400);
    assertThat(badMin.bodyAsJsonObject().getString("field")).isEqualTo("min_requests");
    // a seed is a whole number: 1.5 was taken as 1, and 1e300 as the largest long
    for (Object seed : List.of(1.5, 1e300)) {
      var badSeed = gw.postJson("/api/history/ab", new JsonObject().put("a", "x").put("b", "y").put("seed", seed).encode());
      assertThat(badSeed.statusCode()).as(String.valueOf(seed)).isEqualTo(400);
      assertThat(badSeed.bodyAsJsonObject().getString("field")).isEqualTo("seed");
      assertThat(badSeed.bodyAsJsonObject().getString("error")).contains("must be a whole number");
    }
    // a number written as text in a JSON body is refused, not taken (and stored and echoed as text)
    var quoted = gw.postJson("/api/history/ab", new JsonObject().put("a", "x").put("b", "y").put("samples", "3").encode());
    assertThat(quoted.statusCode()).isEqualTo(400);
    assertThat(quoted.bodyAsJsonObject().getString("field")).isEqualTo("samples");
    assertThat(quoted.bodyAsJsonObject().getString("error")).contains("must be a number, not text");
    var threshold = gw.postJson("/api/history/breaking-point", "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0,"
        + " \"to\": 100, \"step\": 50, \"step_seconds\": 1, \"assertion\": {\"metric\": \"p95_latency\","
        + " \"operator\": \"less_than\", \"threshold\": \"120\"}}");
    assertThat(threshold.statusCode()).isEqualTo(400);
    assertThat(threshold.bodyAsJsonObject().getString("field")).isEqualTo("assertion.threshold");

    // while an orchestration runs, an A/B test is refused at once (it was accepted, then failed with the
    // refusal of its first sample kept as its error, JSON in a string)
    var running = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(LONG_FAILING)).await();
    assertThat(running.statusCode()).as(running.bodyAsString()).isEqualTo(202);
    var refused = gw.postJson("/api/history/ab", new JsonObject().put("a", new JsonObject().put("text", CALM))
        .put("b", new JsonObject().put("text", CALM)).put("samples", 2).encode());
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("an orchestration is running; an A/B test runs"
        + " orchestrations of its own, one at a time: wait for the run to end");
    assertThat(gw.post("/api/chaos/orchestration/stop").statusCode()).isEqualTo(200);
  }
}
