package io.faultline.gateway;

import static io.faultline.gateway.HistoryTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.faultline.history.store.PostgresServer;
import io.faultline.history.store.Writer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose shared PostgreSQL history database goes away and comes back (Debian's PostgreSQL, started
 * here, stopped with a fast shutdown as a restart does): history answers again once the database does,
 * and a run that ended while it was down is kept, not lost.
 */
class HistoryOutageTest {

  private static final String RUN = """
      name: %s
      steps:
        - {name: only, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0.3}
      """;

  @TempDir
  Path dir;

  private PostgresServer postgres;
  private String database;
  private GatewayFixture gw;

  /**
   * Two standalone nodes (no node id) sharing one database cannot tell their experiments apart: a node that starts marks
   * none of the running ones interrupted, and says why. It marked the other node's, still running, failed.
   */
  @Test
  void aStandaloneNodeLeavesTheRunningExperimentsOfASharedDatabaseAlone() throws Exception {
    try (SteadyTraffic traffic = new SteadyTraffic(gw)) {
      var started = gw.postJson("/api/history/breaking-point", """
          {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 5, "step_seconds": 3600,
           "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""");
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
      String id = started.bodyAsJsonObject().getString("id");
      try (LogCapture log = LogCapture.of("io.faultline.history.experiment.Experiments");
           GatewayFixture other = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.resolve("other").toString(), Flag.HISTORY_URL, database))) {
        assertThat(other.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status")).isEqualTo("running");
        assertThat(log.warnings()).anySatisfy(w -> assertThat(w).contains("experiment " + id).contains("--node-id"));
      }
      assertThat(gw.get("/api/history/experiments/" + id).bodyAsJsonObject().getString("status")).isEqualTo("running");
      assertThat(gw.post("/api/history/experiments/" + id + "/stop").statusCode()).isEqualTo(200);
    }
  }

  @BeforeEach
  void start() throws Exception {
    postgres = PostgresServer.start();
    database = postgres.createDatabase();
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString(), Flag.HISTORY_URL, database));
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private String run(String name) {
    var started = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(RUN.formatted(name))).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    return started.bodyAsJsonObject().getString("run_id");
  }

  private void recorded(String id, int seconds) throws InterruptedException {
    eventually(() -> gw.get("/api/history/runs/" + id).statusCode() == 200 ? true : null, seconds);
  }

  @Test
  void historyAnswersAgainAfterPostgresRestartsAndKeepsTheNextRun() throws Exception {
    recorded(run("before"), 15);
    assertThat(gw.get("/api/history/runs").statusCode()).isEqualTo(200);

    postgres.halt();
    // while it is down, a query says so, as a 503 a client may retry, not as an internal error
    var down = gw.get("/api/history/runs");
    assertThat(down.statusCode()).as(down.bodyAsString()).isEqualTo(503);
    assertThat(down.bodyAsJsonObject().getString("error")).startsWith("the history database is out of reach");
    postgres.resume();

    // the pool's connections died with the server; within a few seconds of it answering, so does history
    eventually(() -> gw.get("/api/history/runs").statusCode() == 200 ? true : null, 10);
    String after = run("after");
    recorded(after, 15);
    assertThat(gw.get("/api/history/runs?name=after").bodyAsJsonObject().getJsonArray("runs")).hasSize(1);
  }

  @Test
  void aRunEndedWhilePostgresIsDownIsKeptOnceItIsBack() throws Exception {
    recorded(run("before"), 15);
    String during;
    try (LogCapture log = LogCapture.of(Writer.class)) {
      postgres.halt();
      during = run("during");
      // the writer has tried to write the run (and failed: the database is down) before it comes back
      eventually(() -> log.warnings().stream().anyMatch(w -> w.contains("run")) ? true : null, 20);
    }
    postgres.resume();

    recorded(during, 30);
    assertThat(gw.get("/api/history/runs?name=during").bodyAsJsonObject().getJsonArray("runs")).hasSize(1);
    String series = "faultline_history_dropped_total{kind=\"run\"} ";
    assertThat(gw.get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(series)))
        .as("nothing was dropped").containsExactly(series + "0.0");
  }

  /**
   * An experiment that ends while the database is down is kept ended once it is back: its end was written
   * once, lost, and it showed "running" for good (a stop answered that it runs on its node).
   */
  @Test
  void anExperimentEndedWhilePostgresIsDownIsKeptEndedOnceItIsBack() throws Exception {
    var started = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 50, "step": 5, "step_seconds": 3600,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    postgres.halt();
    var stopped = gw.post("/api/history/experiments/" + id + "/stop");
    assertThat(stopped.statusCode()).as(stopped.bodyAsString()).isEqualTo(200);
    postgres.resume();
    io.vertx.core.json.JsonObject kept = eventually(() -> {
      var answer = gw.get("/api/history/experiments/" + id);
      return answer.statusCode() == 200 && !"running".equals(answer.bodyAsJsonObject().getString("status")) ? answer.bodyAsJsonObject() : null;
    }, 30);
    assertThat(kept.getString("status")).isEqualTo("stopped");
    assertThat(kept.getLong("ended_at")).isNotNull();
  }
}
