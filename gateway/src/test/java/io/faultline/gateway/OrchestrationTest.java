package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Orchestrations driving real traffic through a real gateway to a real upstream, observed in their reports. */
class OrchestrationTest {

  @TempDir
  Path dir;

  private GatewayFixture gw;
  private long traffic = -1;

  @AfterEach
  void stop() {
    if (traffic >= 0) {
      gw.clientVertx.cancelTimer(traffic);
    }
    if (gw != null) {
      gw.close();
    }
  }

  /** Steady traffic (one request every 10 ms) through the gateway while the orchestration runs. */
  private void startTraffic() {
    traffic = gw.clientVertx.setPeriodic(10, id -> gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/t").send());
  }

  private JsonObject run(String yaml) throws Exception {
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(yaml)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    awaitIdle(60);
    Thread.sleep(100);
    return gw.get("/api/chaos/orchestration/reports/latest").bodyAsJsonObject();
  }

  /** Waits until no orchestration runs (at most {@code seconds}). */
  private void awaitIdle(int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static List<String> steps(JsonObject report) {
    return report.getJsonArray("steps").stream().map(o -> ((JsonObject) o).getString("name") + "=" + ((JsonObject) o).getString("status")).toList();
  }

  @Test
  void switchingChaosOffStopsARunAndChaosStaysOff() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    gw.post("/api/chaos/enable"); // on before the run: putting that back would switch chaos on again
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer("""
        name: two_faults
        steps:
          - {name: first, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 1}
          - {name: second, scenario: {config: {fault_injection: {http_errors: [502], http_error_probability: 1.0}}}, duration_seconds: 5}
        """)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    HistoryTest.eventually(() -> gw.traffic("/t").statusCode() == 503 ? true : null, 10);
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    awaitIdle(10);
    Thread.sleep(100);
    JsonObject report = gw.get("/api/chaos/orchestration/reports/latest").bodyAsJsonObject();
    assertThat(report.getString("status")).as(report.encodePrettily()).isEqualTo("stopped");
    assertThat(report.getJsonArray("errors").encode()).contains("chaos was switched off (rest) while the run went on");
    Thread.sleep(1_200); // past the first step's end: the second never switches chaos on again
    assertThat(gw.status().getBoolean("enabled")).isFalse();
    assertThat(gw.traffic("/t").statusCode()).isEqualTo(200);
    // a run's own step that switches chaos off is no kill
    JsonObject calm = run("""
        name: calm_inside
        steps:
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0.2}
          - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 0.2}
          - {name: slow_again, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0.2}
        """);
    assertThat(calm.getString("status")).as(calm.encodePrettily()).isEqualTo("succeeded");
  }

  @Test
  void stepsMeasureRealTrafficConditionsPickTheBranchAndTheConfigIsRestored() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    startTraffic();
    long versionBefore = gw.status().getLong("version");
    JsonObject report = run("""
        name: measured
        variables: {expected_mode: calm}
        hooks:
          - {name: mark, hook_type: pre_orchestration, actions: [{type: set_variable, name: started, value: "yes at {{timestamp}}"}]}
          - {name: total, hook_type: post_orchestration, actions: [{type: record_metric, name: total_seconds, value: "{{duration}}"}]}
        steps:
          - name: errors
            scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}
            duration_seconds: 1
            assertions: [{type: metric_in_range, metric: error_rate, min: 0.95, max: 1.0}]
          - name: calm
            scenario: {config: {enabled: false}}
            duration_seconds: 1
            assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.01}]
        conditional_steps:
          - name: branch
            condition: {type: and, conditions: [{type: less_than, variable: error_rate, value: 0.5}, {type: previous_step_succeeded}]}
            then_steps:
              - name: slow
                scenario: {config: {latency: {fixed_delay_ms: 100}}}
                duration_seconds: 1
                assertions: [{type: metric_in_range, metric: p50_latency, min: 100, max: 2000}]
            else_steps:
              - {name: never, scenario: slow_backend, duration_seconds: 1}
        assertions:
          - {type: step_succeeded, step: slow}
          - {type: metric_in_range, metric: max_error_rate, min: 0.95, max: 1.0}
          - {type: metric_in_range, metric: custom.total_seconds, min: 2.5, max: 30}
          - {type: condition, condition: {type: exists, variable: started}}
        """);
    assertThat(report.getString("status")).as(report.encodePrettily()).isEqualTo("succeeded");
    assertThat(steps(report)).containsExactly("errors=succeeded", "calm=succeeded", "branch=succeeded", "slow=succeeded");
    JsonObject errors = report.getJsonArray("steps").getJsonObject(0).getJsonObject("metrics");
    assertThat(errors.getInteger("request_count")).isGreaterThan(20);
    assertThat(errors.getInteger("fault_count")).isGreaterThan(20);
    // Everything the run changed is put back.
    JsonObject after = gw.status();
    assertThat(after.getBoolean("enabled")).isFalse();
    assertThat(after.getLong("version")).isGreaterThan(versionBefore);
    assertThat(gw.traffic("/after").statusCode()).isEqualTo(200);

    String id = report.getString("id");
    // Every change the run made is in the chaos change log under its name.
    var changes = gw.get("/api/chaos/changes").bodyAsJsonObject().getJsonArray("changes");
    assertThat(changes.stream().map(c -> (JsonObject) c).filter(c -> "orchestration".equals(c.getString("source"))))
        .hasSizeGreaterThanOrEqualTo(4).allSatisfy(c -> assertThat(c.getString("detail")).isEqualTo(id));
    String junit = gw.get("/api/chaos/orchestration/reports/" + id + "?format=junit").bodyAsString();
    assertThat(junit).contains("<testsuite name=\"measured\" tests=\"4\" failures=\"0\"").contains("<testcase classname=\"measured\" name=\"slow\"");
    String html = gw.get("/api/chaos/orchestration/reports/" + id + "?format=html").bodyAsString();
    assertThat(html).contains("<h1>measured</h1>").contains("<td>errors</td><td class=\"succeeded\">");
    // the run's own assertions, each with its result (the HTML report had none of them)
    assertThat(html).contains("<h2>Assertions over the run</h2>").contains("<td>step_succeeded</td><td class=\"succeeded\">passed</td>")
        .contains("<td>condition</td><td class=\"succeeded\">passed</td>");
    assertThat(Files.exists(dir.resolve("reports").resolve(id + ".json"))).isTrue();
  }

  /**
   * What a hunt for lost work found in the library, each mended: a file dated ahead of the clock took no
   * edit or delete (answered as done); a hand-placed .yml came back after an edit and a delete; a write that
   * failed was kept in memory and had deleted the last good file first; an export into the state dir
   * overwrote scenarios.json; two files of one entry imported in the same millisecond, either could win.
   */
  @Test
  void libraryChangesAreStoredWholeOrNotAtAllWhateverTheFilesDatesAndFormats() throws Exception {
    Path library = Files.createDirectories(dir.resolve("library"));
    String v1 = "name: ahead\nsteps:\n  - {name: s, scenario: slow_backend, duration_seconds: 1}\n";
    Files.writeString(library.resolve("ahead.yaml"), v1);
    Files.setLastModifiedTime(library.resolve("ahead.yaml"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 7_200_000));
    Files.writeString(library.resolve("handy.yml"), "name: handy\nsteps:\n  - {name: s, scenario: slow_backend}\n");
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));

    String v2 = v1.replace("duration_seconds: 1", "duration_seconds: 2");
    assertThat(gw.put("/api/chaos/orchestration/library/ahead", v2).statusCode()).isEqualTo(200);
    assertThat(gw.get("/api/chaos/orchestration/library/ahead").bodyAsJsonObject().getString("text")).as("an edit of a file dated ahead").isEqualTo(v2);
    String handy2 = "name: handy\nsteps:\n  - {name: s2, scenario: slow_backend}\n";
    assertThat(gw.put("/api/chaos/orchestration/library/handy", handy2).statusCode()).isEqualTo(200);
    assertThat(library.resolve("handy.yml")).as("the hand-placed .yml is replaced by the entry's file").doesNotExist();
    assertThat(library.resolve("handy.yaml")).hasContent(handy2);

    // a write that cannot be done (its file's place taken by a directory) changes nothing, here or on disk
    String json = "{\"name\": \"ahead\", \"steps\": [{\"name\": \"s\", \"scenario\": \"slow_backend\"}]}";
    Files.createDirectories(library.resolve("ahead.json").resolve("in-the-way"));
    var refused = gw.put("/api/chaos/orchestration/library/ahead", json);
    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(refused.bodyAsJsonObject().getString("error")).startsWith("library entry ahead not stored, nothing changed: cannot write "
        + library.resolve("ahead.json"));
    assertThat(gw.get("/api/chaos/orchestration/library/ahead").bodyAsJsonObject().getString("text")).isEqualTo(v2);
    assertThat(library.resolve("ahead.yaml")).hasContent(v2);
    Files.createDirectories(library.resolve("newent.yaml").resolve("in-the-way"));
    assertThat(gw.put("/api/chaos/orchestration/library/newent", v1).statusCode()).isEqualTo(500);
    assertThat(gw.get("/api/chaos/orchestration/library/newent").statusCode()).as("a new entry not stored is not listed").isEqualTo(404);
    try (var left = Files.list(library)) {
      assertThat(left.map(f -> f.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.endsWith(".tmp"));
    }

    // an export into the node's own state directory would overwrite its files
    assertThat(gw.put("/api/chaos/orchestration/library/scenarios", v1.replace("ahead", "scenarios")).statusCode()).isEqualTo(200);
    for (Path into : List.of(dir, library, dir.resolve("reports"), dir.resolve("runs-open"))) {
      var export = gw.postJson("/api/chaos/orchestration/library/export", new JsonObject().put("dir", into.toString()).encode());
      assertThat(export.statusCode()).as(into.toString()).isEqualTo(400);
      assertThat(export.bodyAsJsonObject().getString("error")).isEqualTo("is the node's state directory " + dir.toAbsolutePath().normalize()
          + " or in its library/, reports/ or runs-open/, whose files an entry's could overwrite: export elsewhere (a new directory inside it is fine)");
    }
    // a link to one of them is one of them
    Path link = Files.createSymbolicLink(dir.getParent().resolve(dir.getFileName() + "-link"), dir);
    for (Path into : List.of(link, link.resolve("library"), link.resolve("reports").resolve("new"))) {
      var export = gw.postJson("/api/chaos/orchestration/library/export", new JsonObject().put("dir", into.toString()).encode());
      assertThat(export.statusCode()).as(into.toString()).isEqualTo(400);
      assertThat(export.bodyAsJsonObject().getString("error")).as(into.toString())
          .startsWith("is the node's state directory " + dir.toAbsolutePath().normalize() + " or in its library/, reports/ or runs-open/ (" + into + " leads to ");
    }
    assertThat(dir.resolve("scenarios.json")).doesNotExist();
    // a link planted at an entry's name in a directory elsewhere is replaced, not written through (one to a
    // file of the node's overwrote it)
    Path planted = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-planted"));
    Path victim = Files.writeString(dir.getParent().resolve(dir.getFileName() + "-victim.txt"), "kept");
    Files.createSymbolicLink(planted.resolve("scenarios.yaml"), victim);
    var planting = gw.postJson("/api/chaos/orchestration/library/export", new JsonObject().put("dir", planted.toString()).encode());
    assertThat(planting.statusCode()).as(planting.bodyAsString()).isEqualTo(200);
    assertThat(victim).hasContent("kept");
    assertThat(planted.resolve("scenarios.yaml")).isRegularFile().content().contains("name: scenarios");
    assertThat(Files.isSymbolicLink(planted.resolve("scenarios.yaml"))).isFalse();

    // two files standing for one entry: neither is imported, both are named
    Path in = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-in"));
    Files.writeString(in.resolve("conv.yaml"), "name: conv\nsteps:\n  - {name: yaml, scenario: slow_backend}\n");
    Files.writeString(in.resolve("conv.json"), "{\"name\": \"conv\", \"steps\": [{\"name\": \"json\", \"scenario\": \"slow_backend\"}]}");
    Files.writeString(in.resolve("single.yaml"), "name: single\nsteps:\n  - {name: s, scenario: slow_backend}\n");
    // a field beside dir is refused, naming it, and nothing is imported: a {"dry_run": true} was a real import
    var dryRun = gw.postJson("/api/chaos/orchestration/library/import", new JsonObject().put("dir", in.toString()).put("dry_run", true).encode());
    assertThat(dryRun.statusCode()).isEqualTo(400);
    assertThat(dryRun.bodyAsJsonObject().getString("field")).isEqualTo("dry_run");
    assertThat(gw.get("/api/chaos/orchestration/library/single").statusCode()).as("not imported").isEqualTo(404);
    JsonObject imported = gw.postJson("/api/chaos/orchestration/library/import", new JsonObject().put("dir", in.toString()).encode())
        .bodyAsJsonObject();
    assertThat(imported.getJsonArray("imported")).containsExactly("single");
    assertThat(imported.getJsonArray("rejected")).hasSize(2);
    assertThat(imported.getJsonArray("rejected").getJsonObject(0).getJsonArray("problems").getString(0))
        .isEqualTo("conv.json and conv.yaml all stand for entry conv: keep one of them and import again");
    assertThat(gw.get("/api/chaos/orchestration/library/conv").statusCode()).isEqualTo(404);

    // and after a restart, every change is as it was answered
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/orchestration/library/handy").send().await().statusCode()).isEqualTo(200);
    gw.close();
    Files.delete(library.resolve("newent.yaml").resolve("in-the-way"));
    Files.delete(library.resolve("newent.yaml"));
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    assertThat(gw.get("/api/chaos/orchestration/library/ahead").bodyAsJsonObject().getString("text")).isEqualTo(v2);
    assertThat(gw.get("/api/chaos/orchestration/library/handy").statusCode()).as("deleted, it stays deleted").isEqualTo(404);
    assertThat(gw.get("/api/chaos/orchestration/library/single").statusCode()).isEqualTo(200);
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/orchestration/library/ahead").send().await().statusCode()).isEqualTo(200);
    assertThat(gw.get("/api/chaos/orchestration/library/ahead").statusCode()).as("a delete of a file dated ahead").isEqualTo(404);
  }

  /**
   * A node that stops (SIGTERM: drain, then close) mid-run ends the run as a stop does, and its report and
   * history row are there after a restart; they were lost when the history closed before the report came.
   */
  @Test
  void aRunEndedByTheNodeStoppingKeepsItsReportAndHistory() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(
        "name: interrupted\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 60}\n")).await();
    assertThat(started.statusCode()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("run_id");
    Thread.sleep(300);
    gw.gateway.drain(1_000).await(5, TimeUnit.SECONDS);
    gw.close();
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    var report = gw.get("/api/chaos/orchestration/reports/" + id);
    assertThat(report.statusCode()).as("the report of the run the stop ended").isEqualTo(200);
    assertThat(report.bodyAsJsonObject().getString("status")).isEqualTo("stopped");
    var history = gw.get("/api/history/runs/" + id);
    assertThat(history.statusCode()).as("its history row").isEqualTo(200);
    assertThat(history.bodyAsJsonObject().getString("status")).isEqualTo("stopped");
    assertThat(gw.status().getBoolean("enabled")).as("the run's chaos was undone").isFalse();
    // and the status says what ran last, as before the restart (it answered only {"is_running": false})
    JsonObject status = gw.get("/api/chaos/orchestration/status").bodyAsJsonObject();
    assertThat(status.getBoolean("is_running")).isFalse();
    assertThat(status.getString("run_id")).as(status.encode()).isEqualTo(id);
    assertThat(status.getString("name")).isEqualTo("interrupted");
    assertThat(status.getString("status")).isEqualTo("stopped");
    assertThat(status.getLong("started_at")).isEqualTo(report.bodyAsJsonObject().getLong("started_at"));
  }

  @Test
  void theLibraryKeepsEntriesAcrossRestartsRunsThemWithVariablesAndImportsAndExportsDirectories() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    startTraffic();
    String entry = """
        name: parameterised
        variables: {code: 500}
        hooks:
          - {hook_type: pre_orchestration, actions: [{type: log, message: "code is ${variables.code}"}]}
        steps:
          - name: fail
            scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}
            duration_seconds: 0.5
        assertions:
          - {type: variable_equals, variable: code, expected: 418}
        schedule: "0 3 * * 1-5"
        """;
    var put = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/orchestration/library/nightly").sendBuffer(Buffer.buffer(entry)).await();
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    var bad = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/orchestration/library/broken")
        .sendBuffer(Buffer.buffer("name: x\nschedule: \"every tuesday\"\nsteps: [{name: s}]\n")).await();
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("schedule");
    // a scenario this node does not have: a scheduled entry would fail unattended every time (refused), another is stored with a warning
    var unattended = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/orchestration/library/later")
        .sendBuffer(Buffer.buffer("name: later\nschedule: \"0 4 * * *\"\nsteps: [{name: s, scenario: not_saved_yet}]\n")).await();
    assertThat(unattended.statusCode()).isEqualTo(400);
    assertThat(unattended.bodyAsJsonObject().getString("field")).isEqualTo("steps[0].scenario");
    assertThat(unattended.bodyAsJsonObject().getString("error")).startsWith("the entry is scheduled (0 4 * * *) but cannot run: line 3:")
        .contains("unknown scenario not_saved_yet");
    var warned = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/orchestration/library/later")
        .sendBuffer(Buffer.buffer("name: later\nsteps: [{name: s, scenario: not_saved_yet}]\n")).await();
    assertThat(warned.statusCode()).isEqualTo(200);
    assertThat(warned.bodyAsJsonObject().getJsonArray("warnings").getString(0)).contains("unknown scenario not_saved_yet")
        .endsWith("a start fails until it exists");
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/orchestration/library/later").send().await().statusCode()).isEqualTo(200);
    JsonObject list = gw.get("/api/chaos/orchestration/library").bodyAsJsonObject();
    assertThat(list.getJsonArray("entries").getJsonObject(0).getString("schedule")).isEqualTo("0 3 * * 1-5");

    // a given value that makes a step invalid is refused before anything runs, not when that step comes
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/orchestration/library/delayed").sendBuffer(Buffer.buffer("""
        name: delayed
        variables: {delay: 100}
        steps:
          - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 0.1}
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: "${variables.delay}"}}}, duration_seconds: 0.1}
        """)).await().statusCode()).isEqualTo(200);
    var refused = gw.postJson("/api/chaos/orchestration/execute", "{\"name\": \"delayed\", \"variables\": {\"delay\": -5}}");
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getString("field")).startsWith("steps[1].scenario.config.latency.fixed_delay_ms");
    assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).as("nothing started").isFalse();
    // a misspelt variable would run with the declared value; an unknown field of the request would be dropped
    var misspelt = gw.postJson("/api/chaos/orchestration/execute", "{\"name\": \"delayed\", \"variables\": {\"dealy\": 500}}");
    assertThat(misspelt.statusCode()).as(misspelt.bodyAsString()).isEqualTo(400);
    assertThat(misspelt.bodyAsJsonObject().getString("field")).isEqualTo("variables.dealy");
    assertThat(misspelt.bodyAsJsonObject().getString("error")).isEqualTo("the orchestration neither declares nor uses it (it declares [delay]): misspelt?");
    var bogus = gw.postJson("/api/chaos/orchestration/execute", "{\"name\": \"delayed\", \"bogus\": 1}");
    assertThat(bogus.statusCode()).isEqualTo(400);
    assertThat(bogus.bodyAsJsonObject().getString("field")).isEqualTo("bogus");
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/orchestration/library/delayed").send().await().statusCode()).isEqualTo(200);

    var executed = gw.postJson("/api/chaos/orchestration/execute", "{\"name\": \"nightly\", \"variables\": {\"code\": 418}}");
    assertThat(executed.statusCode()).as(executed.bodyAsString()).isEqualTo(202);
    awaitIdle(20);
    Thread.sleep(100);
    JsonObject report = gw.get("/api/chaos/orchestration/reports/latest").bodyAsJsonObject();
    assertThat(report.getString("status")).as(report.encodePrettily()).isEqualTo("succeeded");
    assertThat(report.getJsonArray("log").encode()).contains("code is 418");

    Path out = dir.resolve("exported");
    JsonObject exported = gw.postJson("/api/chaos/orchestration/library/export", "{\"dir\": \"" + out + "\"}").bodyAsJsonObject();
    assertThat(exported.getJsonArray("exported")).hasSize(1);
    assertThat(Files.readString(out.resolve("nightly.yaml"))).isEqualTo(entry);
    Files.writeString(out.resolve("second.json"), "{\"name\": \"second\", \"steps\": [{\"name\": \"s\", \"scenario\": \"slow_backend\"}]}");
    Files.writeString(out.resolve("wrong.yaml"), "steps: []\n");
    Files.writeString(out.resolve("sched.yaml"), "name: sched\nschedule: \"0 5 * * *\"\nsteps: [{name: s, scenario: not_saved}]\n");
    // saved by an editor in Latin-1: rejected on its own, with where it stops being UTF-8; the others still come in
    Files.write(out.resolve("latin1.yaml"), "name: caf\u00e9\nsteps: [{name: s}]\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    JsonObject imported = gw.postJson("/api/chaos/orchestration/library/import", "{\"dir\": \"" + out + "\"}").bodyAsJsonObject();
    assertThat(imported.getJsonArray("imported").getList()).containsExactly("nightly", "second");
    assertThat(imported.getJsonArray("rejected").getJsonObject(0).getString("file")).isEqualTo("latin1.yaml");
    assertThat(imported.getJsonArray("rejected").getJsonObject(0).getJsonArray("problems").getString(0))
        .endsWith("latin1.yaml line 1, column 10: byte 0xE9 is not UTF-8; save the file as UTF-8");
    assertThat(imported.getJsonArray("rejected").getJsonObject(1).getString("file")).isEqualTo("sched.yaml");
    assertThat(imported.getJsonArray("rejected").getJsonObject(1).getJsonArray("problems").getString(0))
        .startsWith("the entry is scheduled (0 5 * * *) but cannot run: line 3:").contains("unknown scenario not_saved");
    assertThat(imported.getJsonArray("rejected").getJsonObject(2).getString("file")).isEqualTo("wrong.yaml");

    // A new node on the same data directory has the library and the reports.
    gw.close();
    traffic = -1;
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    assertThat(gw.get("/api/chaos/orchestration/library").bodyAsJsonObject().getJsonArray("entries")).hasSize(2);
    assertThat(gw.get("/api/chaos/orchestration/reports/" + report.getString("id")).bodyAsJsonObject().getString("name"))
        .isEqualTo("parameterised");
  }

  @Test
  void aFailedAssertionFailsItsStepAndStopsTheRunUnlessTheStepContinues() throws Exception {
    gw = new GatewayFixture(Map.of());
    startTraffic();
    JsonObject report = run("""
        name: failing
        steps:
          - name: expect-calm-but-errors
            scenario: {config: {fault_injection: {http_errors: [500], http_error_probability: 1.0}}}
            duration_seconds: 1
            continue_on_failure: true
            assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.1}]
          - name: hard-stop
            scenario: {config: {fault_injection: {http_errors: [500], http_error_probability: 1.0}}}
            duration_seconds: 1
            assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.1}]
          - {name: never-reached, scenario: slow_backend, duration_seconds: 1}
        """);
    assertThat(report.getString("status")).isEqualTo("failed");
    assertThat(steps(report)).containsExactly("expect-calm-but-errors=failed", "hard-stop=failed");
    assertThat(report.getJsonArray("steps").getJsonObject(0).getJsonArray("assertions").getJsonObject(0).getString("message"))
        .startsWith("error_rate = ").endsWith("expected within [0.0, 0.1]");
    // A request in flight when the step began may end inside it unharmed, hence not exactly 1.
    assertThat(report.getJsonArray("steps").getJsonObject(0).getJsonObject("metrics").getDouble("error_rate")).isGreaterThan(0.9);
    assertThat(report.getJsonArray("errors").encode()).contains("step hard-stop: an assertion failed");

    // A scenario the node does not have is refused before the run starts (issue 14.3), not failed in a step.
    var unknown = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer("""
        name: unknown
        steps:
          - {name: first, scenario: slow_backend, duration_seconds: 1}
          - name: hard-stop
            scenario: {name: no_such_scenario}
        """)).await();
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.bodyAsJsonObject().getString("field")).isEqualTo("steps[1].scenario.name");
    assertThat(unknown.bodyAsJsonObject().getString("error")).startsWith("cannot start: line 5: steps[1].scenario.name: unknown scenario"
        + " no_such_scenario: neither built in");
    assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();
  }

  @Test
  void theAbortGuardStopsARunAndHooksNeedPermission() throws Exception {
    gw = new GatewayFixture(Map.of());
    startTraffic();
    JsonObject report = run("""
        name: guarded
        abort_when:
          condition: {type: metric_threshold, metric_name: error_rate, operator: greater_than, threshold: 0.5}
          for_seconds: 0.5
          window_seconds: 1
        hooks:
          - name: shell
            hook_type: pre_orchestration
            actions: [{type: command, command: "true"}]
          - name: webhook
            hook_type: pre_orchestration
            actions: [{type: http_request, url: "http://example.invalid/hook", method: POST}]
        steps:
          - name: meltdown
            scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}
            duration_seconds: 20
        """);
    assertThat(report.getString("status")).isEqualTo("aborted");
    assertThat(report.getLong("duration_ms")).isLessThan(10_000);
    assertThat(report.getJsonArray("errors").encode())
        .contains("command hooks are refused: set orchestration.allow_commands: true")
        .contains("aborted: abort_when held");
    // A refused http_request is a warning (issue 14.8), not an error.
    assertThat(report.getJsonArray("warnings").encode()).contains("http_request to example.invalid refused");
    assertThat(gw.status().getBoolean("enabled")).isFalse();

    // validate says so before a run: valid, with a warning for each action this node will refuse, at its line
    JsonObject validated = validate("""
        name: guarded
        hooks:
          - name: shell
            hook_type: pre_orchestration
            actions: [{type: command, command: "true"}]
        steps:
          - name: s
            scenario: {config: {enabled: false}}
            duration_seconds: 1
            post_hooks:
              - name: webhook
                actions:
                  - {type: http_request, url: "http://example.invalid/hook", method: POST}
                  - {type: http_request, url: "${variables.target}/hook"}
        """);
    assertThat(validated.getBoolean("valid")).as(validated.encodePrettily()).isTrue();
    assertThat(validated.getJsonArray("warnings")).containsExactly(
        new JsonObject().put("path", "hooks[0].actions[0]").put("line", 5).put("message",
            "command hooks are off on this node (orchestration.allow_commands: false): running true will fail"),
        new JsonObject().put("path", "steps[0].post_hooks[0].actions[0]").put("line", 13).put("message",
            "http_request to http://example.invalid/hook will be refused: http://example.invalid:80 is not in"
                + " orchestration.http_allow_list [] (entries match scheme, host and port: http://host:8080, host:8080,"
                + " or a bare host for ports 80 and 443)"),
        // a hook's placeholder that names nothing: the url would go out as "/hook"
        new JsonObject().put("path", "steps[0].post_hooks[0].actions[1].url").put("line", 14).put("message",
            "${variables.target} names no variable, and becomes empty when the hook runs: declare target under variables, or set"
                + " it with a set_variable action (known: [affected_count, all_steps_succeeded, avg_latency, error_count, error_rate,"
                + " fault_count, faulted_count, last_step_status, p50_latency, p95_latency, p99_latency, request_count])"));
  }

  /**
   * The guard counts the run's requests slower than its window, and reads reference 004's metric names: requests delayed
   * 2.5 s never started and ended within a window of 1 s, and latency_p99 was looked up as written, so it never held.
   */
  @Test
  void anAbortGuardSeesRequestsSlowerThanItsWindowUnderReference004sNames() throws Exception {
    gw = new GatewayFixture(Map.of());
    startTraffic();
    JsonObject report = run("""
        name: guarded-slow
        abort_when: {condition: {type: greater_than, variable: latency_p99, value: 1000}, for_seconds: 0.5, window_seconds: 1}
        steps:
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 2500}}}, duration_seconds: 20}
        """);
    assertThat(report.getString("status")).as(report.encodePrettily()).isEqualTo("aborted");
    assertThat(report.getLong("duration_ms")).as("aborted within the slow step").isLessThan(12_000);
    assertThat(report.getJsonArray("errors").encode()).contains("aborted: abort_when held");
  }

  /**
   * An abort_when written as a variable condition on error_rate (reference 004's form) judges the guard's own
   * window: the step before left its error_rate in the run's variables, which hid the live one, so the guard
   * never fired in the failing step and fired later in a calm one.
   */
  @Test
  void anAbortWhenOnAMetricNameJudgesTheLiveWindowNotThePreviousStepsCopy() throws Exception {
    gw = new GatewayFixture(Map.of());
    startTraffic();
    JsonObject report = run("""
        name: guarded-by-variable
        abort_when: {condition: {type: greater_than, variable: error_rate, value: 0.5}, for_seconds: 1, window_seconds: 1}
        steps:
          - {name: fine, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 2}
          - {name: bad, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 20}
          - {name: never, scenario: {config: {latency: {fixed_delay_ms: 10}}}, duration_seconds: 5}
        """);
    assertThat(report.getString("status")).isEqualTo("aborted");
    assertThat(steps(report)).as(report.encodePrettily()).containsExactly("fine=succeeded", "bad=aborted");
    assertThat(report.getLong("duration_ms")).as("aborted within the failing step").isLessThan(12_000);
    assertThat(report.getJsonArray("errors").encode()).contains("aborted: abort_when held").doesNotContain("\"error_rate\":0.0");
    assertThat(gw.status().getBoolean("enabled")).isFalse();
  }

  /**
   * A run whose requests never went through the gateway measured nothing: its rates and latencies are null,
   * and an assertion on them fails saying so, instead of passing on zeros (a CI gate green with no traffic).
   */
  @Test
  void aRunWithoutTrafficMeasuresNothingAndItsMetricAssertionsFailSayingSo() throws Exception {
    gw = new GatewayFixture(Map.of());
    JsonObject report = run("""
        name: no-traffic
        steps:
          - name: a
            scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}
            duration_seconds: 1
            assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.01}]
        assertions:
          - {type: metric_in_range, metric: p99_latency, min: 0, max: 5}
        """);
    assertThat(report.getString("status")).isEqualTo("failed");
    JsonObject step = report.getJsonArray("steps").getJsonObject(0);
    assertThat(step.getJsonObject("metrics").getLong("request_count")).isZero();
    assertThat(step.getJsonObject("metrics").getValue("error_rate")).isNull();
    assertThat(step.getJsonArray("assertions").getJsonObject(0).getBoolean("passed")).isFalse();
    assertThat(step.getJsonArray("assertions").getJsonObject(0).getString("message"))
        .isEqualTo("error_rate = not measured (no request went through the gateway in its window), expected within [0.0, 0.01]");
    assertThat(report.getJsonObject("metrics").getValue("p99_latency")).isNull();
    assertThat(report.getJsonObject("metrics").getValue("max_error_rate")).isNull();
    assertThat(report.getJsonArray("assertions").getJsonObject(0).getBoolean("passed")).isFalse();
    String html = gw.get("/api/chaos/orchestration/reports/latest?format=html").bodyAsString();
    assertThat(html).contains("<td>0</td><td>–</td>");
  }

  /** A global assertion names a step as it ran: the run's variables are filled into it, as into the step's name. */
  @Test
  void aGlobalAssertionNamingATemplatedStepFindsTheStepAsItRan() throws Exception {
    gw = new GatewayFixture(Map.of());
    JsonObject report = run("""
        name: templated
        variables: {delay: 100}
        steps:
          - name: "lat ${variables.delay}"
            scenario: {config: {latency: {fixed_delay_ms: "${variables.delay}"}}}
            duration_seconds: 1
        assertions:
          - {type: step_succeeded, step_name: "lat ${variables.delay}"}
          - {type: variable_equals, variable: label, expected: "lat ${variables.delay}"}
        hooks:
          - {name: label, hook_type: pre_orchestration, actions: [{type: set_variable, name: label, value: "lat 100"}]}
        """);
    assertThat(steps(report)).containsExactly("lat 100=succeeded");
    assertThat(report.getJsonArray("assertions").stream().map(a -> ((JsonObject) a).getString("message")).toList())
        .containsExactly("step lat 100 succeeded, expected succeeded", "label = lat 100, expected lat 100");
    assertThat(report.getString("status")).isEqualTo("succeeded");
  }

  /**
   * A scenario started by hand before a run is still stoppable after it: the run puts back what stopping it
   * returns to, not only the scenario's own config (stopping it left its chaos on).
   */
  @Test
  void aScenarioStartedBeforeARunStopsBackToTheConfigFromBeforeIt() throws Exception {
    gw = new GatewayFixture(Map.of());
    assertThat(gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 5}").statusCode()).isEqualTo(200);
    assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"mild\", \"config\": {\"latency\": {\"fixed_delay_ms\": 15}}}")
        .statusCode()).isIn(200, 201);
    assertThat(gw.post("/api/chaos/scenarios/mild").statusCode()).isEqualTo(200);
    run("""
        name: in-between
        steps: [{name: s, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 1}]
        """);
    JsonObject during = gw.status();
    assertThat(during.getString("scenario")).as("the run put the scenario back").isEqualTo("mild");
    assertThat(during.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(15);
    assertThat(gw.post("/api/chaos/scenarios/stop").statusCode()).isEqualTo(200);
    JsonObject after = gw.status();
    assertThat(after.getBoolean("enabled")).as("as before the scenario: off").isFalse();
    assertThat(after.getValue("scenario")).isNull();
    assertThat(after.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(5);
  }

  /**
   * A saved scenario deleted while a run goes on does not stop the run's end from putting back the config it found: that
   * config holds the scenario's sections, and goes back under no scenario. Its end looked the scenario up, failed ("unknown
   * scenario"), and left the run's own chaos (every request a 503) on.
   */
  @Test
  void aScenarioDeletedDuringARunDoesNotKeepTheRunsChaosOn() throws Exception {
    gw = new GatewayFixture(Map.of());
    assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"mine\", \"config\": {\"latency\": {\"fixed_delay_ms\": 15}}}")
        .statusCode()).isIn(200, 201);
    assertThat(gw.post("/api/chaos/scenarios/mine").statusCode()).isEqualTo(200);
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer("""
        name: while-deleted
        steps: [{name: s, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 2}]
        """)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gw.traffic("/during").statusCode() != 503) { // the run's step is on: "mine" is no longer the active scenario
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/mine").send().await().statusCode()).isEqualTo(200);
    awaitIdle(30);
    JsonObject report = gw.get("/api/chaos/orchestration/reports/latest").bodyAsJsonObject();
    assertThat(report.getJsonArray("errors", new io.vertx.core.json.JsonArray()).encode()).doesNotContain("could not restore");
    JsonObject after = gw.status();
    assertThat(after.getBoolean("enabled")).isTrue();
    assertThat(after.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).as("the config the run found").isEqualTo(15);
    assertThat(after.getJsonObject("config").getValue("fault_injection")).as("the run's own chaos is gone").isNull();
    assertThat(gw.traffic("/after").statusCode()).isEqualTo(200);
  }

  @Test
  void twoStepsOfOneNameAreValidWithAWarningFromValidateAndTheLibrary() {
    gw = new GatewayFixture(Map.of());
    String yaml = """
        name: twice
        steps:
          - name: warm
            scenario: {config: {enabled: false}}
            duration_seconds: 1
          - name: warm
            scenario: {config: {enabled: false}}
            duration_seconds: 1
        """;
    JsonObject validated = validate(yaml);
    assertThat(validated.getBoolean("valid")).as(validated.encodePrettily()).isTrue();
    assertThat(validated.getJsonArray("warnings")).containsExactly(new JsonObject().put("path", "steps[1].name").put("line", 6)
        .put("message", "the step steps[0] is named warm too: step_succeeded assertions and reports that name a step cannot"
            + " tell the two apart"));
    var stored = gw.put("/api/chaos/orchestration/library/twice", yaml);
    assertThat(stored.statusCode()).as(stored.bodyAsString()).isEqualTo(200);
    assertThat(stored.bodyAsJsonObject().getJsonArray("warnings").getString(0)).startsWith("steps[1].name: the step steps[0] is named warm too");
  }

  /**
   * A section set while a run goes on is made, and its answer warns that the run's end puts back the config it
   * found, this change with it: it was answered 200 and then silently dropped when the run ended.
   */
  @Test
  void aChangeMadeDuringARunIsToldTheRunsEndUndoesIt() throws Exception {
    gw = new GatewayFixture(Map.of());
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(
        "name: holding\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 60}\n")).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("run_id");
    var during = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/config/rate_limit")
        .sendBuffer(Buffer.buffer("{\"requests_per_second\": 100}")).await();
    assertThat(during.statusCode()).as(during.bodyAsString()).isEqualTo(200);
    assertThat(during.bodyAsJsonObject().getJsonArray("warnings").getString(0))
        .isEqualTo("orchestration holding (" + id + ") holds the chaos config: when it ends it puts back the config it found,"
            + " and this change goes with it");
    assertThat(gw.post("/api/chaos/orchestration/stop").statusCode()).isEqualTo(200);
    var after = gw.admin(io.vertx.core.http.HttpMethod.PUT, "/api/chaos/config/rate_limit")
        .sendBuffer(Buffer.buffer("{\"requests_per_second\": 100}")).await();
    assertThat(after.bodyAsJsonObject().containsKey("warnings")).as("no run: " + after.bodyAsString()).isFalse();
  }

  /** Validate reports an unknown scenario beside the document's other problems: it was reported only once they were fixed. */
  @Test
  void validateReportsAnUnknownScenarioWithTheOtherProblems() {
    gw = new GatewayFixture(Map.of());
    JsonObject validated = validate("""
        name: both
        steps:
          - {name: first, scenario: not_saved_yet, duration_seconds: soon}
        """);
    assertThat(validated.getBoolean("valid")).isFalse();
    assertThat(validated.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("path")))
        .containsExactly("steps[0].duration_seconds", "steps[0].scenario");
    assertThat(validated.getJsonArray("problems").getJsonObject(1).getString("message")).startsWith("unknown scenario not_saved_yet");
  }

  private JsonObject validate(String yaml) {
    return gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/validate").sendBuffer(Buffer.buffer(yaml))
        .await().bodyAsJsonObject();
  }

  @Test
  void allowedCommandAndHttpRequestHooksRunAndTheirResultsCount() throws Exception {
    // The allow list names an origin: host and port (15.17), so the node's own admin port on the same host is refused.
    io.vertx.core.Vertx hooks = io.vertx.core.Vertx.vertx();
    // what the notify hook sent: its body is JSON, and says so (it went without a Content-Type)
    java.util.concurrent.atomic.AtomicReference<String> notifiedAs = new java.util.concurrent.atomic.AtomicReference<>();
    var hookServer = hooks.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/notify")) {
        notifiedAs.set(String.valueOf(request.getHeader("content-type")));
      }
      request.response().end("ok");
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    record Target(String url) { }
    var hookTarget = new Target("http://127.0.0.1:" + hookServer.actualPort());
    Path config = dir.resolve("faultline.yaml");
    Files.writeString(config, "orchestration: {allow_commands: true, http_allow_list: [\"" + hookTarget.url() + "\"]}\n");
    gw = new GatewayFixture(config, Map.of());
    startTraffic();
    Path marker = dir.resolve("marker");
    JsonObject report = run("""
        name: hooks
        variables: {who: faultline}
        steps:
          - name: only
            scenario: {config: {enabled: false}}
            duration_seconds: 0.2
            pre_hooks:
              - name: touch
                required: true
                actions: [{type: command, command: "touch", args: ["%s"], timeout_seconds: 5}]
            post_hooks:
              - name: notify
                required: true
                actions: [{type: http_request, url: "%s/notify", method: POST, body: '{"from": "${variables.who}"}'}]
              - name: admin-port
                actions: [{type: http_request, url: "http://127.0.0.1:%d/api/chaos/enable", method: POST}]
          - name: must-fail
            scenario: {config: {enabled: false}}
            duration_seconds: 0.1
            pre_hooks:
              - name: exits-1
                required: true
                actions: [{type: command, command: "false"}]
        """.formatted(marker, hookTarget.url(), gw.gateway.adminPort()));
    hooks.close();
    assertThat(Files.exists(marker)).isTrue();
    assertThat(steps(report)).containsExactly("only=succeeded", "must-fail=failed");
    assertThat(report.getJsonArray("log").encode()).contains("/notify -> 200").contains("command [touch");
    assertThat(notifiedAs.get()).isEqualTo("application/json");
    assertThat(report.getJsonArray("errors").encode()).contains("command [false] exited with 1");
    assertThat(report.getJsonArray("warnings").encode())
        .contains("http_request to 127.0.0.1 refused: http://127.0.0.1:" + gw.gateway.adminPort()
            + " is not in orchestration.http_allow_list [" + hookTarget.url() + "]");
    assertThat(gw.status().getBoolean("enabled")).as("the admin port was not reached").isFalse();
    // allowed here: the command and the allowed origin; the admin port is warned of before a run
    JsonObject validated = validate("""
        name: hooks
        steps:
          - name: only
            duration_seconds: 0.2
            pre_hooks:
              - actions: [{type: command, command: "touch", args: ["x"]}]
            post_hooks:
              - actions: [{type: http_request, url: "%s/notify"}, {type: http_request, url: "http://127.0.0.1:%d/api/chaos/enable"}]
        """.formatted(hookTarget.url(), gw.gateway.adminPort()));
    assertThat(validated.getJsonArray("warnings").stream().map(w -> ((JsonObject) w).getString("path")))
        .as(validated.encodePrettily()).containsExactly("steps[0].post_hooks[0].actions[1]");
  }

  @Test
  void importAndLibraryStoreTakeReference003And004sBodiesAndAnswerWithTheirMessages() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    Path examples = Path.of("..", "orchestrations", "src", "test", "resources", "reference-examples");
    // 003: POST /api/chaos/orchestration/import {"content": "...", "format": "yaml"} imports, and starts nothing.
    String yaml = Files.readString(examples.resolve("003-02-api_stress_test.yaml"));
    var imported = gw.postJson("/api/chaos/orchestration/import",
        new JsonObject().put("content", yaml).put("format", "yaml").encode());
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(200);
    assertThat(imported.bodyAsJsonObject().getString("message")).isEqualTo("Orchestration 'api_stress_test' imported successfully (3 steps)");
    assertThat(gw.get("/api/chaos/orchestration/library/api_stress_test").bodyAsJsonObject().getString("text")).isEqualTo(yaml);
    assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();
    var again = gw.postJson("/api/chaos/orchestration/import", new JsonObject().put("content", yaml).put("format", "yaml").encode());
    assertThat(again.statusCode()).as("the same orchestration imported again replaces itself").isEqualTo(200);
    // another orchestration whose name makes the same entry name must not replace it
    String namesake = yaml.replaceFirst("name: *\"?api_stress_test\"?", "name: \"api stress test\"");
    assertThat(namesake).isNotEqualTo(yaml);
    var clash = gw.postJson("/api/chaos/orchestration/import", new JsonObject().put("content", namesake).put("format", "yaml").encode());
    assertThat(clash.statusCode()).as(clash.bodyAsString()).isEqualTo(400);
    assertThat(clash.bodyAsJsonObject().getString("error")).contains("already holds another orchestration (api_stress_test)");
    assertThat(gw.get("/api/chaos/orchestration/library/api_stress_test").bodyAsJsonObject().getString("text")).isEqualTo(yaml);
    var wrongFormat = gw.postJson("/api/chaos/orchestration/import", new JsonObject().put("content", yaml).put("format", "json").encode());
    assertThat(wrongFormat.statusCode()).isEqualTo(400);
    assertThat(wrongFormat.bodyAsJsonObject().getString("field")).isEqualTo("format");
    // 004: curl -X POST .../library -H "Content-Type: application/json" -d @advanced-orchestration.json stores it under its name.
    String json = Files.readString(examples.resolve("003-04-json.json"));
    var stored = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/library")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json)).await();
    assertThat(stored.statusCode()).as(stored.bodyAsString()).isEqualTo(200);
    assertThat(stored.bodyAsJsonObject().getString("name")).isEqualTo("example_orchestration");
    assertThat(gw.get("/api/chaos/orchestration/library").bodyAsJsonObject().getJsonArray("entries").stream()
        .map(e -> ((JsonObject) e).getString("name")).toList()).containsExactly("api_stress_test", "example_orchestration");
    // 003's start and stop answers carry its message next to the status.
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start")
        .sendBuffer(Buffer.buffer("name: my_orchestration\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 30}\n")).await();
    assertThat(started.bodyAsJsonObject().getString("message")).isEqualTo("Orchestration 'my_orchestration' started successfully");
    assertThat(started.bodyAsJsonObject().getBoolean("is_running")).isTrue();
    JsonObject stopped = gw.post("/api/chaos/orchestration/stop").bodyAsJsonObject();
    assertThat(stopped.getString("message")).isEqualTo("Orchestration stopped");
    assertThat(stopped.getString("status")).isEqualTo("stopped");
    awaitIdle(10);
  }

  @Test
  void aSavedScenarioCarriesTheDefaultDurationOfStepsThatNameIt() throws Exception {
    gw = new GatewayFixture(Map.of());
    var saved = gw.postJson("/api/chaos/scenarios", "{\"name\": \"baseline\", \"default_duration_seconds\": 1.5,"
        + " \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}");
    assertThat(saved.statusCode()).as(saved.bodyAsString()).isIn(200, 201);
    assertThat(gw.get("/api/chaos/scenarios/baseline").bodyAsString()).contains("\"default_duration_seconds\" : 1.5");
    var bad = gw.postJson("/api/chaos/scenarios", "{\"name\": \"b2\", \"default_duration_seconds\": -1, \"config\": {}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("default_duration_seconds");
    JsonObject report = run("""
        name: defaults
        steps:
          - name: "Normal operation"
            scenario: "baseline"
        """);
    assertThat(report.getJsonArray("steps").getJsonObject(0).getLong("duration_ms")).isBetween(1_400L, 3_000L);

    // a known scenario refined by the step's config (003's baseline step): status names it while it runs
    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer("""
        name: refined
        steps:
          - name: degraded
            scenario:
              name: network_degradation
              config: {latency: {probability: 0.8}}
            duration_seconds: 30
        """)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    JsonObject during = gw.status();
    for (int i = 0; i < 100 && during.getString("scenario") == null; i++) { // the step applies just after the start answers
      Thread.sleep(50);
      during = gw.status();
    }
    assertThat(during.getString("scenario")).isEqualTo("network_degradation");
    JsonObject latency = during.getJsonObject("config").getJsonObject("latency");
    assertThat(latency.getInteger("fixed_delay_ms")).as("the scenario's delay").isEqualTo(500);
    assertThat(latency.getDouble("probability")).as("the step's refinement").isEqualTo(0.8);
    gw.post("/api/chaos/orchestration/stop");
    assertThat(gw.status().getString("scenario")).isNull();
  }

  @Test
  void anAllowListEntryThatNamesNoOriginStopsTheNodeNamingIt() throws Exception {
    Path config = dir.resolve("faultline.yaml");
    Files.writeString(config, "orchestration: {http_allow_list: [\"ftp://files.example\"]}\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayFixture(config, Map.of()))
        .hasMessageContaining("orchestration.http_allow_list: the scheme must be http or https, got \"ftp://files.example\"");
  }

  @Test
  void aReportMissingFieldsIsStillServedInEveryFormat() throws Exception {
    // A report kept on disk by an older node, or by another tool, with little in it.
    Files.createDirectories(dir.resolve("reports"));
    Files.writeString(dir.resolve("reports").resolve("run-old.json"), "{\"id\": \"run-old\", \"name\": \"old\","
        + " \"steps\": [{\"name\": \"s\"}]}");
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    for (String format : List.of("json", "html", "junit")) {
      var answer = gw.admin(io.vertx.core.http.HttpMethod.GET, "/api/chaos/orchestration/reports/run-old?format=" + format)
          .timeout(5_000).send().await();
      assertThat(answer.statusCode()).as(format).isEqualTo(200);
    }
    assertThat(gw.get("/api/chaos/orchestration/reports/run-old?format=junit").bodyAsString())
        .contains("<testsuite name=\"old\" tests=\"1\" failures=\"0\"");
  }

  @Test
  void aYamlAliasBombGetsAClear400AtOnceAndTheAdminApiKeepsAnswering() throws Exception {
    gw = new GatewayFixture(Map.of());
    String bomb = Files.readString(Path.of("..", "orchestrations", "src", "test", "resources", "billion-laughs.yaml"));
    assertThat(bomb).hasSize(588);
    long t0 = System.nanoTime();
    var validate = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/validate").timeout(5_000)
        .sendBuffer(Buffer.buffer(bomb));
    var health = gw.admin(io.vertx.core.http.HttpMethod.GET, "/health").timeout(5_000).send();
    var answer = validate.await();
    // Before, it ran the heap out and never answered; 5 s leaves room for a first parse in a cold JVM on a busy machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("answered at once").isLessThan(5_000);
    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.bodyAsJsonObject().getString("field")).isEqualTo("text");
    assertThat(answer.bodyAsJsonObject().getString("error")).startsWith("line 3: YAML anchors and aliases (&name, *name) are not accepted");
    assertThat(health.await().statusCode()).isEqualTo(200);
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(bomb)).await()
        .statusCode()).isEqualTo(400);
  }

  @Test
  void loopsAndParallelStepsAndAStopRestoresTheConfig() throws Exception {
    gw = new GatewayFixture(Map.of());
    startTraffic();
    JsonObject looped = run("""
        name: looped
        loop_orchestration: true
        max_iterations: 2
        parallel: true
        steps:
          - {name: latency, scenario: {config: {latency: {fixed_delay_ms: 50}}}, duration_seconds: 0.6}
          - {name: errors, scenario: {config: {fault_injection: {http_errors: [502], http_error_probability: 0.5}}}, duration_seconds: 0.6}
        """);
    assertThat(looped.getInteger("iterations")).isEqualTo(2);
    assertThat(steps(looped)).containsExactly("latency=succeeded", "errors=succeeded", "latency=succeeded", "errors=succeeded");
    JsonObject m = looped.getJsonArray("steps").getJsonObject(1).getJsonObject("metrics");
    assertThat(m.getDouble("error_rate")).as("the errors step's traffic: %s", m.encode()).isBetween(0.2, 0.8);
    assertThat(m.getDouble("p50_latency")).isGreaterThanOrEqualTo(45.0);

    var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start")
        .sendBuffer(Buffer.buffer("{\"name\": \"endless\", \"loop_orchestration\": true, \"max_iterations\": 0,"
            + " \"steps\": [{\"name\": \"on\", \"scenario\": \"slow_backend\", \"duration_seconds\": 5}]}")).await();
    assertThat(started.statusCode()).isEqualTo(202);
    Thread.sleep(500);
    assertThat(gw.status().getString("scenario")).isEqualTo("slow_backend");
    JsonObject stopped = gw.post("/api/chaos/orchestration/stop").bodyAsJsonObject();
    assertThat(stopped.getString("status")).isEqualTo("stopped");
    // the stop answers once the run has ended: the next request meets chaos as it was (no waiting)
    assertThat(stopped.getBoolean("is_running")).isFalse();
    assertThat(gw.status().getString("scenario")).isNull();
    assertThat(gw.status().getBoolean("enabled")).isFalse();
    awaitIdle(10);
    assertThat(gw.status().getString("scenario")).isNull();
    assertThat(gw.status().getBoolean("enabled")).isFalse();

    var invalid = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/validate")
        .sendBuffer(Buffer.buffer("steps:\n  - duration_seconds: -1\n")).await().bodyAsJsonObject();
    assertThat(invalid.getBoolean("valid")).isFalse();
    assertThat(invalid.getJsonArray("problems").encode()).contains("\"path\":\"name\"").contains("steps[0].duration_seconds")
        .contains("{\"path\":\"steps[0].duration_seconds\",\"line\":2,");
  }

  @Test
  void anEntryThatNoLongerValidatesIsKeptListedAsNotValidAndCanBeMended() throws Exception {
    // written by an older node (or by hand): max_iterations without a loop is refused now
    Path library = Files.createDirectories(dir.resolve("library"));
    String old = "name: soak\nmax_iterations: 5\nsteps:\n  - {name: s, scenario: slow_backend, duration_seconds: 1}\n";
    Files.writeString(library.resolve("soak.yaml"), old);
    Files.writeString(library.resolve("fine.yaml"), "name: fine\nsteps:\n  - {name: s, scenario: slow_backend}\n");
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));

    JsonObject list = gw.get("/api/chaos/orchestration/library").bodyAsJsonObject();
    assertThat(list.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("name"))).containsExactly("fine", "soak");
    JsonObject soak = list.getJsonArray("entries").getJsonObject(1);
    assertThat(soak.getBoolean("valid")).isFalse();
    assertThat(soak.getJsonArray("problems").getString(0))
        .isEqualTo("max_iterations (line 2): runs the orchestration 5 times only with loop_orchestration: true; without it the run goes once");
    assertThat(list.getJsonArray("entries").getJsonObject(0).getBoolean("valid")).isTrue();
    JsonObject entry = gw.get("/api/chaos/orchestration/library/soak").bodyAsJsonObject();
    assertThat(entry.getString("text")).isEqualTo(old);
    assertThat(entry.getBoolean("valid")).isFalse();
    assertThat(entry.getJsonArray("problems").getString(0)).startsWith("max_iterations (line 2): ");
    // it does not run as it is, and says why
    var refused = gw.postJson("/api/chaos/orchestration/execute", "{\"name\": \"soak\"}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsString()).contains("max_iterations");
    // mended, it is an entry like any other
    String mended = old.replace("max_iterations: 5", "loop_orchestration: true\nmax_iterations: 5");
    assertThat(gw.put("/api/chaos/orchestration/library/soak", mended).statusCode()).isEqualTo(200);
    JsonObject again = gw.get("/api/chaos/orchestration/library").bodyAsJsonObject().getJsonArray("entries").getJsonObject(1);
    assertThat(again.getBoolean("valid")).isTrue();
    assertThat(again.getInteger("steps")).isEqualTo(1);
  }
}
