package io.faultline.gateway;

import static io.faultline.gateway.ClusterFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.faultline.history.store.PostgresServer;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes sharing one PostgreSQL history database (Debian's PostgreSQL, started here): a run
 * is written once, by the node that ran it (the leader), and any node answers it; each chaos change is
 * written once, by the node that made it.
 */
class ClusterHistoryTest {

  private final ClusterFixture cluster = new ClusterFixture();
  private PostgresServer postgres;

  @AfterEach
  void stop() throws Exception {
    cluster.close();
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aSharedDatabaseKeepsEachRunAndEachChangeOnce() throws Exception {
    String database = twoNodesSharingOneDatabase();
    Gateway n1 = cluster.nodes.get(0);
    Gateway n2 = cluster.nodes.get(1);

    JsonObject started = cluster.post(n2, "/api/chaos/orchestration/start", """
        name: shared-history
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 1}
          - {name: b, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 1}
        """);
    String id = started.getString("run_id");
    assertThat(id).as(started.encode()).isNotNull();
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> cluster.web.get(node.adminPort(), "127.0.0.1", "/api/history/runs/" + id).send().await().statusCode() == 200,
          "the run is in the history both nodes read");
    }
    JsonObject run = cluster.get(n2, "/api/history/runs/" + id);
    assertThat(run.getString("node")).as(run.encode()).isEqualTo("n1");

    try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(database), "faultline", null)) {
      assertThat(rows(db, "SELECT id, node FROM runs")).as("one row, written by the leader that ran it")
          .containsExactly(id + " n1");
      // the run's steps and its restore changed chaos on n1; n2 took each change over and wrote none
      eventually(() -> !rows(db, "SELECT version, node FROM chaos_changes").isEmpty(), "the run's changes are written");
      List<String> changes = rows(db, "SELECT version, node FROM chaos_changes ORDER BY version");
      assertThat(changes).as("each change once, by the node that made it").doesNotHaveDuplicates().allMatch(r -> r.endsWith(" n1"));
    }
    long before = Long.parseLong(rows(postgres, database, "SELECT max(version) FROM chaos_changes").get(0));
    assertThat(cluster.put(n2, "/api/chaos/config", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 3}}").statusCode())
        .isEqualTo(200);
    String after = "SELECT node FROM chaos_changes WHERE version > " + before;
    eventually(() -> !rows(postgres, database, after).isEmpty(), "n2's change is written");
    Thread.sleep(500); // n1, adopting it, must not write it again
    assertThat(rows(postgres, database, after)).as("the change made through n2, once").containsExactly("n2");
  }

  /**
   * A chaos window still open when the whole cluster stops is kept once, ended at the last node's stop: every node that
   * stops writes it under the id all nodes gave it, and the latest end wins. It was left to the nodes still running, so
   * the last node's stop lost it. A window a change closes while both nodes run is kept once, by the node that made it.
   */
  @Test
  void aWindowOpenWhenTheWholeClusterStopsIsKeptOnceEndedAtTheLastStop() throws Exception {
    String database = twoNodesSharingOneDatabase();
    Gateway n1 = cluster.nodes.get(0);
    Gateway n2 = cluster.nodes.get(1);

    assertThat(cluster.postForResponse(n2, "/api/chaos/enable", "").statusCode()).isEqualTo(200);
    eventually(() -> cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "n1 has chaos on");
    assertThat(cluster.postForResponse(n1, "/api/chaos/disable", "").statusCode()).isEqualTo(200);
    String windows = "SELECT node, metrics::json->>'closed_by' FROM chaos_windows ORDER BY started_at";
    eventually(() -> rows(postgres, database, windows).size() == 1, "the first window is written");

    assertThat(cluster.postForResponse(n2, "/api/chaos/enable", "").statusCode()).isEqualTo(200);
    eventually(() -> cluster.get(n1, "/api/chaos/status").getBoolean("enabled"), "n1 has chaos on again");
    cluster.nodes.remove(n1);
    n1.close().await();
    eventually(() -> rows(postgres, database, windows).size() == 2, "n1's stop writes the open window");
    // n2 shows it once: open, as it goes on there
    io.vertx.core.json.JsonArray shown = cluster.get(n2, "/api/history/windows").getJsonArray("windows");
    assertThat(shown).as(shown.encode()).hasSize(2);
    assertThat(shown.getJsonObject(0).getValue("ended_at")).isNull();
    assertThat(shown.getJsonObject(1).getJsonObject("metrics").getString("closed_by")).isEqualTo("rest");
    Thread.sleep(200);
    long n1Stopped = System.currentTimeMillis();
    cluster.nodes.remove(n2);
    n2.close().await();

    assertThat(rows(postgres, database, windows)).as("each window once").containsExactly("n1 rest", "n2 shutdown");
    long ended = Long.parseLong(rows(postgres, database, "SELECT max(ended_at) FROM chaos_windows").get(0));
    assertThat(ended).as("the second window ends at the last node's stop").isGreaterThan(n1Stopped);
  }

  @Test
  void eachRunKeepsTheTagsOfTheOrchestrationThatRanWhicheverNodeStartedIt() throws Exception {
    twoNodesSharingOneDatabase();
    Gateway n1 = cluster.nodes.get(0);
    Gateway n2 = cluster.nodes.get(1);

    // through the leader, then through the other node (which forwards the start to the leader)
    assertThat(tagsOf(n1, recorded(n1, "stale", "release-1"))).containsExactly("release-1");
    assertThat(tagsOf(n1, recorded(n2, "stale", "release-2"))).as("not those of the last start of that name on the leader")
        .containsExactly("release-2");
    assertThat(tagsOf(n2, recorded(n2, "fresh", "release-3"))).as("a name the leader never started itself")
        .containsExactly("release-3");
  }

  /** Starts PostgreSQL and two clustered nodes (n1, n2) writing their history to one database of it; answers its name. */
  private String twoNodesSharingOneDatabase() throws Exception {
    postgres = PostgresServer.start();
    String url = postgres.createDatabase();
    Gateway n1 = cluster.start(0, Map.of(Flag.HISTORY_URL, url));
    Gateway n2 = cluster.start(1, Map.of(Flag.HISTORY_URL, url));
    eventually(() -> cluster.get(n2, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes");
    return url.substring(url.lastIndexOf('/') + 1);
  }

  /** Starts a one-step orchestration {@code name} tagged {@code tag} through {@code node}; answers its run id once it is in history. */
  private String recorded(Gateway node, String name, String tag) throws InterruptedException {
    JsonObject started = cluster.post(node, "/api/chaos/orchestration/start", """
        name: %s
        tags: [%s]
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0.3}
        """.formatted(name, tag));
    String id = started.getString("run_id");
    assertThat(id).as(started.encode()).isNotNull();
    eventually(() -> cluster.web.get(node.adminPort(), "127.0.0.1", "/api/history/runs/" + id).send().await().statusCode() == 200,
        "run " + id + " is in history");
    return id;
  }

  private List<Object> tagsOf(Gateway node, String id) {
    JsonObject run = cluster.get(node, "/api/history/runs/" + id);
    JsonObject listed = cluster.get(node, "/api/history/runs?name=" + run.getString("name")).getJsonArray("runs").stream()
        .map(JsonObject.class::cast).filter(r -> id.equals(r.getString("id"))).findFirst().orElseThrow();
    assertThat(listed.getJsonArray("tags")).as("the list says what the run says").isEqualTo(run.getJsonArray("tags"));
    return run.getJsonArray("tags").getList();
  }

  private static List<String> rows(PostgresServer postgres, String database, String sql) {
    try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(database), "faultline", null)) {
      return rows(db, sql);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  /** Each row of {@code sql} as its columns joined by a space. */
  private static List<String> rows(Connection db, String sql) {
    List<String> rows = new ArrayList<>();
    try (ResultSet result = db.createStatement().executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " " : "").append(result.getString(i));
        }
        rows.add(row.toString());
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(sql, e);
    }
    return rows;
  }
}
