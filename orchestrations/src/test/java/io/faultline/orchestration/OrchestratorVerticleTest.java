package io.faultline.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.run.ControlPlane;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestrator verticle on a real event bus, with the control plane as real consumers on the control addresses. */
class OrchestratorVerticleTest {

  @TempDir
  Path dir;

  private final ControlPlane plane = new ControlPlane();

  @AfterEach
  void close() {
    plane.close();
  }

  private void deploy(boolean clustered) throws Exception {
    deploy(clustered, null);
  }

  private void deploy(boolean clustered, io.faultline.orchestration.run.RunClock clock) throws Exception {
    if (clustered) {
      plane.vertx.eventBus().<JsonObject>consumer(Addresses.LEADERSHIP, m -> m.reply(new JsonObject().put("leading", true)));
    }
    plane.vertx.deployVerticle(new OrchestratorVerticle(false, Set.of(), dir.resolve("state"), clustered, clock))
        .await(10, TimeUnit.SECONDS);
  }

  private JsonObject request(String address, JsonObject body) throws Exception {
    return plane.vertx.eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS).body();
  }

  private CompletableFuture<JsonObject> nextReport() throws Exception {
    CompletableFuture<JsonObject> report = new CompletableFuture<>();
    var consumer = plane.vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.FINISHED, m -> report.complete(m.body()));
    consumer.completion().await(5, TimeUnit.SECONDS);
    return report.whenComplete((r, e) -> consumer.unregister());
  }

  /**
   * A start while a run whose steps are done runs its clean-up (post_orchestration hooks) says to wait for its end: it
   * said "is running; stop it first", and a stop does not end a clean-up, so a script that stopped and started again went
   * round in circles.
   */
  @Test
  void aStartDuringARunsCleanUpSaysToWaitForItsEnd() throws Exception {
    inCleanUp(30);
    String again = "name: again\nsteps:\n  - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}}\n";
    assertThatThrownBy(() -> request(OrchestratorVerticle.START, new JsonObject().put("text", again)))
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(409);
          assertThat(new JsonObject(e.getMessage()).getString("error")).isEqualTo("orchestration cleaned has ended its steps and"
              + " runs its clean-up (post_orchestration hooks); start again once it ends (GET /api/chaos/orchestration/status:"
              + " is_running false)");
        });
    assertThat(request(OrchestratorVerticle.STATUS, new JsonObject()).getBoolean("is_running")).isTrue();
  }

  /**
   * A stop during the clean-up of a run whose steps went well says the clean-up runs to its end, as the status stays
   * succeeded: it was read after the wind-down, by when a short clean-up had ended, and the answer said "Orchestration
   * stopped" beside {@code status: succeeded}.
   */
  @Test
  void aStopDuringACleanUpSaysItRunsToItsEnd() throws Exception {
    inCleanUp(3);
    JsonObject stopped = request(OrchestratorVerticle.STOP, new JsonObject());
    assertThat(stopped.getString("status")).as(stopped.encode()).isEqualTo("succeeded");
    assertThat(stopped.getString("message")).isEqualTo("The run's steps are done: its clean-up (post_orchestration hooks) runs to its end");
  }

  /** Starts a run of one short step whose clean-up (a post_orchestration hook) lasts {@code seconds}; answers once it runs. */
  private void inCleanUp(int seconds) throws Exception {
    plane.vertx.deployVerticle(new OrchestratorVerticle(true, Set.of(), dir.resolve("state"), false,
        io.faultline.orchestration.run.VirtualClock.automatic())).await(10, TimeUnit.SECONDS);
    Path started = dir.resolve("started");
    request(OrchestratorVerticle.START, new JsonObject().put("text", """
        name: cleaned
        hooks:
          - name: cleanup
            hook_type: post_orchestration
            actions: [{type: command, command: sh, args: ["-c", "touch %s; sleep %d"], timeout_seconds: 60}]
        steps:
          - {name: short, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 1}
        """.formatted(started, seconds)));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Files.exists(started)) {
      assertThat(System.currentTimeMillis()).as("the clean-up's command starts").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void fiftyThousandIterationsOfZeroSecondStepsFinishRestoreAndLetTheNextRunStart() throws Exception {
    deploy(false);
    JsonObject before = plane.config.copy();
    CompletableFuture<JsonObject> finished = nextReport();
    long t0 = System.nanoTime();
    JsonObject started = request(OrchestratorVerticle.START, new JsonObject().put("text", """
        name: tight-loop
        loop_orchestration: true
        max_iterations: 50000
        steps:
          - {name: flip, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0}
        """));
    assertThat(started.getBoolean("is_running")).isTrue();
    // While it loops, the verticle answers (the loop yields the event loop between steps).
    assertThat(request(OrchestratorVerticle.STATUS, null).getString("name")).isEqualTo("tight-loop");
    JsonObject report = finished.get(120, TimeUnit.SECONDS);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertThat(report.getString("status")).as(report.getJsonArray("errors").encode()).isEqualTo("succeeded");
    assertThat(report.getInteger("iterations")).isEqualTo(50_000);
    assertThat(report.getJsonArray("steps")).hasSize(1_000);
    assertThat(report.getInteger("steps_omitted")).isEqualTo(49_000);
    assertThat(plane.config).as("the config before the run is back (after " + seconds + " s)").isEqualTo(before);
    JsonObject next = request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: next\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 0}\n"));
    assertThat(next.getString("name")).isEqualTo("next");
  }

  /**
   * In a cluster, a run's end takes away its own checkpoint only. A run started once the one before said it had ended
   * (while that one's last window, report and status were still being kept) had put its first checkpoint, and the
   * earlier run's end took it: at its next step the new run found itself resumed elsewhere and abandoned itself,
   * leaving its chaos on, no report and status {@code abandoned}.
   */
  @Test
  void aRunStartedWhileTheOneBeforeIsKeptIsNotTakenForResumedElsewhere() throws Exception {
    io.faultline.orchestration.run.VirtualClock clock = io.faultline.orchestration.run.VirtualClock.manual();
    deploy(true, clock);
    JsonObject before = plane.config.copy();
    plane.holdWindows((from, to) -> to - from > 2_500); // the first run's whole-run window; its step's is 2 s
    request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: first\nsteps:\n  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 2, delay_before_seconds: 1}\n"));
    clock.awaitWaiting(1);
    clock.advance(1_000);
    clock.awaitWaiting(1);
    clock.advance(2_000);
    long deadline = System.currentTimeMillis() + 10_000;
    while (request(OrchestratorVerticle.STATUS, null).getBoolean("is_running")) {
      assertThat(System.currentTimeMillis()).as("the first run says it ended").isLessThan(deadline);
      Thread.sleep(10);
    }
    CompletableFuture<JsonObject> reports = nextReport();
    JsonObject second = request(OrchestratorVerticle.START, new JsonObject().put("text", """
        name: second
        steps:
          - {name: b, scenario: {config: {latency: {fixed_delay_ms: 7}}}, duration_seconds: 2}
          - {name: c, scenario: {config: {latency: {fixed_delay_ms: 9}}}, duration_seconds: 2}
        """));
    clock.awaitWaiting(1); // step b holds: its checkpoint is stored
    plane.holdWindows((from, to) -> false); // the first run is kept now: its report, its last status, its checkpoint gone
    assertThat(reports.get(10, TimeUnit.SECONDS).getString("name")).isEqualTo("first");
    var map = plane.vertx.sharedData().<String, Object>getAsyncMap("faultline.orchestration.runs").await(10, TimeUnit.SECONDS);
    while (!(map.get("last").await(10, TimeUnit.SECONDS) instanceof JsonObject last && "first".equals(last.getString("name")))) {
      assertThat(System.currentTimeMillis()).as("the first run's last status stored").isLessThan(deadline + 10_000);
      Thread.sleep(10);
    }
    Thread.sleep(200); // the removal follows the last status at once

    CompletableFuture<JsonObject> secondReport = nextReport();
    clock.advance(2_000);
    clock.awaitWaiting(1); // step c holds (a run that took itself for resumed elsewhere abandoned itself here)
    clock.advance(2_000);
    JsonObject report = secondReport.get(10, TimeUnit.SECONDS);
    assertThat(report.getString("id")).isEqualTo(second.getString("run_id"));
    assertThat(report.getString("status")).isEqualTo("succeeded");
    assertThat(plane.config).as("the config from before both is back").isEqualTo(before);
  }

  /**
   * A follower waits for the leader's answer to a start as long as the leader may take to parse the text and check its
   * scenarios: after 3 s it answered 503 while the leader went on and started the run (a retry then got a 409).
   */
  @Test
  void aFollowerWaitsForASlowLeadersStart() throws Exception {
    plane.vertx.eventBus().<JsonObject>consumer(Addresses.LEADERSHIP, m -> m.reply(new JsonObject().put("leading", false)));
    plane.vertx.eventBus().<JsonObject>consumer(OrchestratorVerticle.LEADER + ".start",
        m -> plane.vertx.setTimer(4_000, id -> m.reply(new JsonObject().put("run_id", "run-slow").put("name", "slow"))));
    plane.vertx.deployVerticle(new OrchestratorVerticle(false, Set.of(), dir.resolve("state"), true)).await(10, TimeUnit.SECONDS);
    JsonObject started = request(OrchestratorVerticle.START, new JsonObject().put("text", "name: slow\nsteps: []\n"));
    assertThat(started.getString("run_id")).isEqualTo("run-slow");
  }

  @Test
  void aReportWhoseIdIsNotAFileNameIsNotKeptNorWritten() throws Exception {
    deploy(true);
    Path reports = dir.resolve("state").resolve("reports");
    JsonObject report = new JsonObject().put("name", "x").put("status", "succeeded").put("started_at", 1L);
    plane.vertx.eventBus().publish(OrchestratorVerticle.REPORT_KEPT, report.copy().put("id", "../../escaped"));
    plane.vertx.eventBus().publish(OrchestratorVerticle.REPORT_KEPT, report.copy().put("id", "run-good"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Files.exists(reports.resolve("run-good.json"))) {
      assertThat(System.currentTimeMillis()).as("the good report is written").isLessThan(deadline);
      Thread.sleep(10);
    }
    assertThat(dir.resolve("escaped.json")).doesNotExist();
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("escaped"))).isEmpty();
    }
    assertThat(request(OrchestratorVerticle.REPORTS, null).getJsonArray("reports").stream()
        .map(r -> ((JsonObject) r).getString("id")).toList()).containsExactly("run-good");
  }

  @Test
  void libraryNamesThatAreNotFileNamesAreRefused() throws Exception {
    deploy(false);
    for (String name : new String[] {"../escape", ".hidden", "a/b"}) {
      assertThatThrownBy(() -> request(OrchestratorVerticle.LIBRARY_PUT, new JsonObject().put("name", name)
          .put("text", "name: x\nsteps: [{name: s, scenario: slow_backend}]\n")))
          .isInstanceOf(ReplyException.class).hasMessageContaining("\"field\":\"name\"");
    }
  }

  @Test
  void aYamlAliasBombIsRefusedAtOnceAndTheVerticleKeepsAnswering() throws Exception {
    deploy(false);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text", Bombs.BILLION_LAUGHS)))
        .isInstanceOf(ReplyException.class).satisfies(e -> {
          assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
          assertThat(e.getMessage()).contains("YAML anchors and aliases (&name, *name) are not accepted").contains("\"field\":\"text\"");
        });
    // Before, it ran the heap out; 5 s leaves room for a first parse in a cold JVM on a busy machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("answered at once").isLessThan(5_000);
    assertThat(request(OrchestratorVerticle.STATUS, null).getBoolean("is_running")).isFalse();
  }

  @Test
  void reference004sCompleteExampleNeedsItsScenariosSavedThenRunsAndWritesItsReportWhereItSays() throws Exception {
    deploy(false, io.faultline.orchestration.run.VirtualClock.automatic());
    String example = Files.readString(Path.of("src/test/resources/reference-examples/004-14-advanced_e-commerce_load_test.yaml"));
    // Its scenarios are names with no config: validate (on the node) and start say so, before anything runs.
    JsonObject validation = request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text", example));
    assertThat(validation.getBoolean("valid")).isFalse();
    assertThat(validation.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("path")).toList()).containsExactly(
        "advanced_steps[0].base.scenario", "advanced_steps[1].base.scenario", "conditional_steps[0].then_steps[0].base.scenario",
        "conditional_steps[0].else_steps[0].base.scenario");
    assertThat(validation.getJsonArray("problems").getJsonObject(0).getString("message"))
        .startsWith("unknown scenario baseline_test: neither built in [network_degradation, service_instability, cascading_failure,"
            + " peak_traffic, slow_backend] nor saved on this node; save it first (POST /api/chaos/scenarios) or give the step a config");
    assertThatThrownBy(() -> request(OrchestratorVerticle.START, new JsonObject().put("text", example)))
        .isInstanceOf(ReplyException.class).hasMessageContaining("cannot start: line 39: advanced_steps[0].base.scenario: unknown scenario"
            + " baseline_test").hasMessageContaining("(and 3 more; validate it for all)");
    assertThat(plane.sent).as("nothing was applied").isEmpty();

    for (String name : List.of("baseline_test", "light_load", "heavy_load", "cooldown")) {
      plane.save(name, new JsonObject().put("latency", new JsonObject().put("fixed_delay_ms", 10)), null);
    }
    plane.window = (from, to) -> new JsonObject().put("request_count", 100).put("error_rate", 0.0).put("avg_latency", 50.0);
    assertThat(request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text", example)).getBoolean("valid")).isTrue();
    CompletableFuture<JsonObject> finished = nextReport();
    JsonObject started = request(OrchestratorVerticle.START, new JsonObject().put("text", example));
    assertThat(started.getString("message")).isEqualTo("Orchestration 'Advanced E-Commerce Load Test' started successfully");
    JsonObject report = finished.get(30, TimeUnit.SECONDS);
    assertThat(report.getString("status")).as(report.encodePrettily()).isEqualTo("succeeded");
    assertThat(report.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("name")).toList()).containsExactly(
        "Phase 1: Baseline", "Phase 2: Light Load", "Check if we should proceed to heavy load", "Phase 3: Heavy Load");
    assertThat(report.getLong("duration_ms")).as("30 + 60 + 120 s, on the virtual clock").isEqualTo(210_000);
    // notify_start's webhook is not allowed here: a warning, and its set_variable still ran.
    assertThat(report.getJsonArray("warnings").encode()).contains("hook notify_start: http_request to hooks.slack.com refused");
    assertThat(report.getJsonObject("variables").getString("start_time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    // enable_reporting: true, report_path: "./reports/load-test-{{timestamp}}.html"
    String file = "reports/load-test-" + report.getLong("started_at") / 1000 + ".html";
    assertThat(report.getString("report_file")).isEqualTo(file);
    assertThat(Files.readString(dir.resolve("state").resolve(file))).contains("<h1>Advanced E-Commerce Load Test</h1>");
  }

  @Test
  void aReportPathMustStayInTheStateDirectory() throws Exception {
    deploy(false);
    JsonObject validation = request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text", """
        name: escape
        steps: [{name: a, scenario: slow_backend}]
        enable_reporting: true
        report_path: "../../etc/report-{{timestamp}}.html"
        """));
    assertThat(validation.getJsonArray("problems").getJsonObject(0).getString("message"))
        .isEqualTo("must be a path inside the node's state directory (relative, without leading ..), got ../../etc/report-{{timestamp}}.html");
    // nor over what the node keeps there: it would be lost, and the node might not start again
    for (String own : java.util.List.of("scenarios.json", "library/ex1.json", "./library/x.html", "history.db.json", "reports/run-1.json")) {
      JsonObject refused = request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text",
          "name: own\nsteps: [{name: a, scenario: slow_backend}]\nenable_reporting: true\nreport_path: \"" + own + "\"\n"));
      assertThat(refused.getBoolean("valid")).as(own).isFalse();
      assertThat(refused.getJsonArray("problems").getJsonObject(0).getString("path")).as(own).isEqualTo("report_path");
      assertThat(refused.getJsonArray("problems").getJsonObject(0).getString("message")).as(own).startsWith("must not be");
    }
    JsonObject beside = request(OrchestratorVerticle.VALIDATE, new JsonObject().put("text",
        "name: own\nsteps: [{name: a, scenario: slow_backend}]\nenable_reporting: true\nreport_path: \"reports/mine.xml\"\n"));
    assertThat(beside.getBoolean("valid")).as(beside.encode()).isTrue();

    // nor through a link inside it to a directory elsewhere (the path alone was checked: the report left it)
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createDirectories(dir.resolve("state"));
    Files.createSymbolicLink(dir.resolve("state").resolve("outdir"), outside);
    CompletableFuture<JsonObject> finished = nextReport();
    request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: linked\nsteps: [{name: a, scenario: {config: {enabled: false}}, duration_seconds: 0}]\nenable_reporting: true\n"
            + "report_path: \"outdir/r.html\"\n"));
    JsonObject report = finished.get(30, TimeUnit.SECONDS);
    assertThat(report.getJsonArray("errors").encode()).contains("report_path").contains("leads out of the state directory");
    assertThat(report.getString("report_file")).isNull();
    try (var left = Files.list(outside)) {
      assertThat(left).as("nothing written outside").isEmpty();
    }
    // nor over the node's own files through a link back into the state directory
    Files.writeString(dir.resolve("state").resolve("scenarios.json"), "[]");
    Files.createSymbolicLink(dir.resolve("state").resolve("back"), dir.resolve("state"));
    CompletableFuture<JsonObject> again = nextReport();
    request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: back\nsteps: [{name: a, scenario: {config: {enabled: false}}, duration_seconds: 0}]\nenable_reporting: true\n"
            + "report_path: \"back/scenarios.json\"\n"));
    assertThat(again.get(30, TimeUnit.SECONDS).getJsonArray("errors").encode()).contains("must not be in or over the node's own scenarios");
    assertThat(dir.resolve("state").resolve("scenarios.json")).hasContent("[]");
  }
}
