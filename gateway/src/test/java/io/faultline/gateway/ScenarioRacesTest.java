package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved scenario's delete sent at the same moment as a request that needs the scenario: whichever comes
 * first wins and the other is refused, as if they had come one after the other. Found by a hunt that sent
 * them together: the delete checked, asked the library, then deleted, and what came between got in too.
 * Each trial sends the two at once on two connections; on the code before, half the trials let both in.
 */
class ScenarioRacesTest {

  @TempDir
  Path dir;

  private GatewayFixture gw;
  private WebClient parallel;

  @BeforeEach
  void start() {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    parallel = WebClient.create(gw.clientVertx, new io.vertx.ext.web.client.WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(4));
  }

  @AfterEach
  void stop() {
    parallel.close();
    gw.close();
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String path, String body) {
    var request = parallel.request(method, gw.gateway.adminPort(), "127.0.0.1", path);
    return body == null ? request.send() : request.sendBuffer(Buffer.buffer(body));
  }

  private void save(String name) {
    assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"" + name + "\", \"config\": {\"latency\": {\"fixed_delay_ms\": 1}}}")
        .statusCode()).isEqualTo(201);
  }

  private boolean saved(String name) {
    return gw.get("/api/chaos/scenarios").bodyAsJsonObject().getJsonArray("scenarios").stream()
        .anyMatch(s -> name.equals(((JsonObject) s).getString("name")));
  }

  /** A start and a delete at once: the active scenario was deleted (both 200), and the status named one that no longer existed. */
  @Test
  void aScenarioStartedAsItIsDeletedIsEitherStartedOrDeletedNeverBoth() {
    for (int trial = 0; trial < 20; trial++) {
      save("victim");
      // sent in either order: a start that comes while the delete asks the library is the one that got in
      Future<HttpResponse<Buffer>> started;
      Future<HttpResponse<Buffer>> deleted;
      if (trial % 2 == 0) {
        deleted = send(HttpMethod.DELETE, "/api/chaos/scenarios/victim", null);
        started = send(HttpMethod.POST, "/api/chaos/scenarios/victim", null);
      } else {
        started = send(HttpMethod.POST, "/api/chaos/scenarios/victim", null);
        deleted = send(HttpMethod.DELETE, "/api/chaos/scenarios/victim", null);
      }
      Future.join(started, deleted).await();
      int start = started.result().statusCode();
      int delete = deleted.result().statusCode();
      String both = "trial " + trial + ": start " + start + " " + started.result().bodyAsString() + ", delete " + delete + " "
          + deleted.result().bodyAsString();
      if (start == 200) {
        assertThat(delete).as(both).isEqualTo(409);
        assertThat(gw.status().getString("scenario")).isEqualTo("victim");
        assertThat(saved("victim")).as("the active scenario is still saved").isTrue();
        assertThat(gw.post("/api/chaos/scenarios/stop").statusCode()).isEqualTo(200);
      } else {
        assertThat(start).as(both).isEqualTo(404);
        assertThat(delete).as(both).isEqualTo(200);
        assertThat(gw.status().getString("scenario")).isNull();
      }
      gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/victim").send().await();
    }
  }

  /**
   * An orchestration start and the delete of a scenario one of its steps names, at once: the start was
   * accepted (202), the delete too, and the run failed at that step ("never a failed first step").
   */
  @Test
  void anOrchestrationStartedAsItsScenarioIsDeletedIsEitherRefusedOrKeepsTheScenario() throws Exception {
    String run = "name: racing\nsteps:\n  - {name: s1, scenario: ostep, duration_seconds: 0.1}\n";
    for (int trial = 0; trial < 30; trial++) {
      save("ostep");
      var started = send(HttpMethod.POST, "/api/chaos/orchestration/start", run);
      var deleted = send(HttpMethod.DELETE, "/api/chaos/scenarios/ostep", null);
      Future.join(started, deleted).await();
      int start = started.result().statusCode();
      int delete = deleted.result().statusCode();
      String both = "trial " + trial + ": start " + start + " " + started.result().bodyAsString() + ", delete " + delete + " "
          + deleted.result().bodyAsString();
      if (start == 202) {
        assertThat(delete).as(both).isEqualTo(409);
        String id = started.result().bodyAsJsonObject().getString("run_id");
        JsonObject report = HistoryTest.eventually(() -> {
          var answer = gw.get("/api/chaos/orchestration/reports/" + id);
          return answer.statusCode() == 200 ? answer.bodyAsJsonObject() : null;
        }, 15);
        assertThat(report.getString("status")).as(both + "; " + report.encode()).isEqualTo("succeeded");
      } else {
        assertThat(start).as(both).isEqualTo(400);
        assertThat(started.result().bodyAsJsonObject().getString("error")).contains("unknown scenario ostep");
        assertThat(delete).as(both).isEqualTo(200);
      }
      gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/ostep").send().await();
    }
  }
}
