package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With --state-dir, saved scenarios survive a restart of the node. */
class ScenarioPersistenceTest {

  @TempDir
  Path dir;

  @Test
  void savedScenariosComeBackAfterARestart() {
    Map<Flag, String> flags = Map.of(Flag.STATE_DIR, dir.toString());
    try (GatewayFixture first = new GatewayFixture(flags)) {
      assertThat(first.postJson("/api/chaos/scenarios", """
          {"name": "teapot", "description": "always 418",
           "config": {"fault_injection": {"http_errors": [418], "http_error_probability": 1}}}""").statusCode()).isEqualTo(201);
      assertThat(first.postJson("/api/chaos/scenarios", "{\"name\": \"gone\", \"config\": {}}").statusCode()).isEqualTo(201);
      assertThat(first.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/gone").send().await().statusCode()).isEqualTo(200);
    }
    assertThat(Files.exists(dir.resolve("scenarios.json"))).isTrue();
    try (GatewayFixture second = new GatewayFixture(flags)) {
      assertThat(second.get("/api/chaos/scenarios/teapot").bodyAsJsonObject().getString("description")).isEqualTo("always 418");
      assertThat(second.get("/api/chaos/scenarios/gone").statusCode()).isEqualTo(404);
      second.post("/api/chaos/scenarios/teapot");
      assertThat(second.traffic("/x").statusCode()).isEqualTo(418);
    }
  }

  /**
   * Saves answered at the same moment are all stored: each save's file write used to run on its own worker,
   * so an older list could land last and a scenario answered 201 was gone after a restart (a hunt lost 8 of 180).
   */
  @Test
  void scenariosSavedAtTheSameMomentAreAllThereAfterARestart() {
    Map<Flag, String> flags = Map.of(Flag.STATE_DIR, dir.toString());
    int count = 120;
    String padding = "x".repeat(10_000); // a larger file takes longer to write: more writes overlap
    try (GatewayFixture first = new GatewayFixture(flags)) {
      // as many connections as saves, as clients saving at once would have
      var parallel = io.vertx.ext.web.client.WebClient.create(first.clientVertx, new io.vertx.ext.web.client.WebClientOptions(),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(count));
      java.util.List<io.vertx.core.Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>> saves = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        saves.add(parallel.post(first.gateway.adminPort(), "127.0.0.1", "/api/chaos/scenarios").sendBuffer(io.vertx.core.buffer.Buffer.buffer(
            "{\"name\": \"s" + i + "\", \"description\": \"" + padding + "\", \"config\": {\"latency\": {\"fixed_delay_ms\": " + i + "}}}")));
      }
      io.vertx.core.Future.all(saves).await();
      assertThat(saves).allSatisfy(f -> assertThat(f.result().statusCode()).isEqualTo(201));
    }
    try (GatewayFixture second = new GatewayFixture(flags)) {
      java.util.Set<String> names = second.get("/api/chaos/scenarios").bodyAsJsonObject().getJsonArray("scenarios").stream()
          .map(o -> ((io.vertx.core.json.JsonObject) o).getString("name")).collect(java.util.stream.Collectors.toSet());
      for (int i = 0; i < count; i++) {
        assertThat(names).as("s" + i + " after the restart").contains("s" + i);
      }
    }
  }

  /** A description that is not text is refused naming it: {"a": 1} was kept as the text "{\"a\":1}", 5 as "5". */
  @Test
  void aDescriptionThatIsNotTextIsRefused() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()))) {
      for (String description : java.util.List.of("{\"a\": 1}", "5", "[\"x\"]")) {
        var refused = gw.postJson("/api/chaos/scenarios", "{\"name\": \"odd\", \"description\": " + description + ", \"config\": {}}");
        assertThat(refused.statusCode()).as(description).isEqualTo(400);
        assertThat(refused.bodyAsJsonObject().getString("field")).isEqualTo("description");
      }
      assertThat(gw.get("/api/chaos/scenarios/odd").statusCode()).isEqualTo(404);
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"odd\", \"description\": \"text\", \"config\": {}}").statusCode())
          .isEqualTo(201);
    }
  }

  /** A save whose file cannot be written answers 500 naming the file and the cause, and the scenario is not kept. */
  @Test
  void aSaveThatCannotBeStoredIsNotKept() throws java.io.IOException {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()))) {
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"kept\", \"config\": {}}").statusCode()).isEqualTo(201);
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"later\", \"config\": {}}").statusCode()).isEqualTo(201);
      Path file = dir.resolve("scenarios.json");
      Files.delete(file);
      Files.createDirectories(file.resolve("in-the-way")); // the file's place taken by a directory: no write can replace it
      var refused = gw.postJson("/api/chaos/scenarios", "{\"name\": \"mine\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}");
      assertThat(refused.statusCode()).isEqualTo(500);
      assertThat(refused.bodyAsJsonObject().getString("error")).startsWith("nothing was saved: cannot write the saved scenarios to " + file);
      assertThat(refused.bodyAsJsonObject().getString("field")).isEqualTo("state_dir");
      assertThat(gw.get("/api/chaos/scenarios/mine").statusCode()).as("not kept in memory either").isEqualTo(404);
      var notDeleted = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/kept").send().await();
      assertThat(notDeleted.statusCode()).isEqualTo(500);
      assertThat(gw.get("/api/chaos/scenarios/kept").statusCode()).as("a delete that cannot be stored is undone").isEqualTo(200);
      assertThat(gw.get("/api/chaos/scenarios").bodyAsJsonObject().getJsonArray("scenarios").stream()
          .map(o -> ((io.vertx.core.json.JsonObject) o).getString("name")).filter(n -> n.equals("kept") || n.equals("later")).toList())
          .as("put back where it stood, not at the end of the list").containsExactly("kept", "later");
      try (var left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.endsWith(".tmp"));
      }
    }
  }

  /**
   * A saved entry the node cannot take back says which file and entry, and what is wrong with it: the start said
   * "invalid configuration: name: must be 1-64 letters..." (the user looked in their config file), or, for a field of the
   * wrong type, "could not start: java.lang.ClassCastException".
   */
  @Test
  void aSavedScenarioTheNodeCannotTakeBackNamesTheFileAndTheEntry() throws java.io.IOException {
    Path file = dir.resolve("scenarios.json");
    java.util.Map<String, String> entries = java.util.Map.of(
        "{\"name\": \".canary\", \"config\": {}}", "[1].name: ",
        "{\"name\": 5, \"config\": {}}", "[1].name: must be a string, got 5",
        "{\"name\": \"late\", \"default_duration_seconds\": \"ten\", \"config\": {}}", "[1].default_duration_seconds: must be a number",
        "{\"name\": \"bad\", \"config\": {\"latency\": {\"fixed_delay_ms\": -1}}}", "[1].config.latency.fixed_delay_ms: ");
    for (var entry : entries.entrySet()) {
      Files.writeString(file, "[{\"name\": \"fine\", \"config\": {}}, " + entry.getKey() + "]");
      io.faultline.gateway.config.GatewayConfig config = io.faultline.gateway.config.ConfigLoader.load(null, Map.of(),
          Map.of(Flag.STATE_DIR, dir.toString(), Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Gateway.start(config, null, null).await().close().await())
          .as(entry.getKey()).isInstanceOfSatisfying(io.faultline.chaos.config.ChaosConfigException.class, e -> {
            assertThat(e.field()).isEqualTo("state_dir");
            assertThat(e.getMessage()).startsWith("a saved scenario in " + file + " cannot be restored: " + entry.getValue())
                .endsWith("(rename or remove it there)");
          });
    }
  }

  @Test
  void aScenarioSavedWithRulesAndASeedBeforeTheyWereRefusedStillLoadsWithoutThem() throws java.io.IOException {
    // written by a node from before the API refused them: they were ignored at every start, and still are
    Files.writeString(dir.resolve("scenarios.json"), """
        [{"name": "old", "description": "from an older node",
          "config": {"enabled": true, "seed": 7, "latency": {"fixed_delay_ms": 5},
                     "rules": [{"name": "r", "match": {"path": "/x"}, "fault_injection": {"http_errors": [503], "http_error_probability": 1}}]}}]""");
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()))) {
      io.vertx.core.json.JsonObject config = gw.get("/api/chaos/scenarios/old").bodyAsJsonObject().getJsonObject("config");
      assertThat(config.getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(5L);
      assertThat(config.containsKey("seed")).isFalse();
      assertThat(config.getJsonArray("rules", new io.vertx.core.json.JsonArray())).isEmpty();
      gw.post("/api/chaos/scenarios/old");
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aScenarioAScheduledEntryRunsIsNotDeletedAndOthersThatNameItAreWarnedOf() throws InterruptedException {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()))) {
      for (String name : java.util.List.of("nightly_load", "adhoc_load")) {
        assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"" + name + "\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}")
            .statusCode()).isEqualTo(201);
      }
      assertThat(gw.put("/api/chaos/orchestration/library/nightly",
          "name: nightly\nschedule: \"0 3 * * *\"\nsteps:\n  - {name: load, scenario: nightly_load, duration_seconds: 60}\n")
          .statusCode()).isEqualTo(200);
      assertThat(gw.put("/api/chaos/orchestration/library/adhoc",
          "name: adhoc\nsteps:\n  - {name: load, scenario: adhoc_load, duration_seconds: 60}\n").statusCode()).isEqualTo(200);

      // deleted, the scheduled entry would fail unattended at 03:00 every day
      var refused = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/nightly_load").send().await();
      assertThat(refused.statusCode()).isEqualTo(409);
      assertThat(refused.bodyAsJsonObject().getString("error"))
          .isEqualTo("scenario nightly_load is used by the scheduled library entry nightly (0 3 * * *): change or delete it first");
      assertThat(gw.get("/api/chaos/scenarios/nightly_load").statusCode()).isEqualTo(200);

      var warned = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/adhoc_load").send().await();
      assertThat(warned.statusCode()).isEqualTo(200);
      assertThat(warned.bodyAsJsonObject().getJsonArray("warnings")).containsExactly(
          "library entry adhoc names it: its start fails until the scenario is saved again");
      assertThat(gw.get("/api/chaos/scenarios/adhoc_load").statusCode()).isEqualTo(404);
      // the running orchestration's step names it: deleted now, the run would fail when it comes to that step
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"in_use\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}")
          .statusCode()).isEqualTo(201);
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"in_branch\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}")
          .statusCode()).isEqualTo(201);
      assertThat(gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(io.vertx.core.buffer.Buffer.buffer(
          "name: soak\nsteps:\n  - {name: warm, scenario: nightly_load, duration_seconds: 60}\n"
          + "  - {name: load, scenario: in_use, duration_seconds: 60}\n"
          + "conditional_steps:\n  - name: branch\n    condition: {type: exists, variable: zz}\n"
          + "    then_steps: [{name: t, base: {scenario: nightly_load, duration_seconds: 1}}]\n"
          + "    else_steps: [{name: e, base: {scenario: in_branch, duration_seconds: 1}}]\n")).await().statusCode()).isEqualTo(202);
      var running = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/in_use").send().await();
      assertThat(running.statusCode()).isEqualTo(409);
      assertThat(running.bodyAsJsonObject().getString("error"))
          .isEqualTo("scenario in_use is used by step load of the running orchestration soak: stop the run or wait for it to end first");
      // one a conditional step's branch names too: it was deleted, and the branch failed when it came to it
      var inBranch = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/in_branch").send().await();
      assertThat(inBranch.statusCode()).as(inBranch.bodyAsString()).isEqualTo(409);
      assertThat(inBranch.bodyAsJsonObject().getString("error")).contains("used by step e of the running orchestration soak");
      gw.post("/api/chaos/orchestration/stop");
      long ended = System.currentTimeMillis() + 10_000; // the stop is answered as the run winds down
      while (gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")) {
        assertThat(System.currentTimeMillis()).isLessThan(ended);
        Thread.sleep(20);
      }
      var afterStop = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/in_use").send().await();
      assertThat(afterStop.statusCode()).as(afterStop.bodyAsString()).isEqualTo(200);
      // an unknown one says so, as before
      assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/nothere").send().await().statusCode()).isEqualTo(404);
    }
  }
}
