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
}
