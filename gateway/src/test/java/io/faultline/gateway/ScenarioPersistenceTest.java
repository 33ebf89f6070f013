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
  void aScenarioAScheduledEntryRunsIsNotDeletedAndOthersThatNameItAreWarnedOf() {
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
      // an unknown one says so, as before
      assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/nothere").send().await().statusCode()).isEqualTo(404);
    }
  }
}
