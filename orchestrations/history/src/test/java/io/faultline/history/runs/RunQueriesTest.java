package io.faultline.history.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.history.store.Databases;
import io.faultline.history.store.HistoryStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trends and export over a real (SQLite) store: what the console's History page draws and downloads. */
class RunQueriesTest {

  private static final long DAY = 86_400_000L;

  private final Vertx vertx = Vertx.vertx();
  private HistoryStore store;
  private RunQueries queries;

  @TempDir
  Path dir;

  @BeforeEach
  void open() {
    store = Databases.open(vertx, Databases.target(null, dir, "history.db", "history.url"), 2).await();
    queries = new RunQueries(store);
  }

  @AfterEach
  void close() {
    store.close().await();
    vertx.close().await();
  }

  private static JsonObject run(String id, String name, String status, long startedAt, double score, String tag) {
    return new JsonObject().put("id", id).put("name", name).put("status", status).put("mode", "sequential").put("node", "n1")
        .put("started_at", startedAt).put("ended_at", startedAt + 1_000).put("resilience_score", score)
        .put("request_count", 100L).put("error_count", 0L).put("error_rate", 0.0).put("avg_latency", 1.0).put("p95_latency", 2.0)
        .put("tags", new JsonArray().add(tag)).put("document", new JsonObject().put("id", id).put("steps", new JsonArray()));
  }

  @Test
  void theTrendCarriesTheFittedLineItsDirectionIsReadFrom() {
    long now = System.currentTimeMillis();
    // scores 90, 80, 70, 60 one day apart: a straight line falling 10 points a day
    store.insertRuns(List.of(run("a", "checkout", "succeeded", now - 4 * DAY, 90, "v1"), run("b", "checkout", "succeeded", now - 3 * DAY, 80, "v1"),
        run("c", "checkout", "failed", now - 2 * DAY, 70, "v2"), run("d", "checkout", "failed", now - DAY, 60, "v2"))).await();

    JsonObject trend = queries.trends(new JsonObject().put("name", "checkout").put("days", 30)).await().getJsonObject("trend");
    assertThat(trend.getString("direction")).isEqualTo("worsening");
    assertThat(trend.getDouble("slope_per_day")).isCloseTo(-10.0, within(1e-6));
    JsonArray line = trend.getJsonArray("fitted_line");
    assertThat(line.getJsonArray(0).getLong(0)).isEqualTo(now - 4 * DAY);
    assertThat(line.getJsonArray(0).getDouble(1)).isCloseTo(90.0, within(1e-6));
    assertThat(line.getJsonArray(1).getLong(0)).isEqualTo(now - DAY);
    assertThat(line.getJsonArray(1).getDouble(1)).isCloseTo(60.0, within(1e-6));

    store.insertRuns(List.of(run("e", "search", "succeeded", now - 2 * DAY, 90, "v1"), run("f", "search", "succeeded", now - DAY, 50, "v1")))
        .await();
    JsonObject two = queries.trends(new JsonObject().put("name", "search")).await().getJsonObject("trend");
    assertThat(two.getString("direction")).isEqualTo("insufficient_data");
    assertThat(two.getValue("fitted_line")).as("no line where no interval can be given").isNull();
    assertThat(two.getValue("slope_per_day")).as("nor a slope: two points' line is no estimate").isNull();
  }

  /**
   * An export past its most runs (100,000: a max_runs above it keeps more) gives the newest and says it is not all: it
   * gave them as "every run", nothing saying the rest were left out.
   */
  @Test
  void anExportOfMoreRunsThanItGivesSaysSo() {
    long now = System.currentTimeMillis();
    store.insertRuns(List.of(run("r1", "calm", "succeeded", now - 3_000, 100, "a"), run("r2", "calm", "succeeded", now - 2_000, 100, "a"),
        run("r3", "calm", "succeeded", now - 1_000, 100, "a"))).await();
    RunQueries two = new RunQueries(store, store, 2);
    JsonObject csv = two.export(new JsonObject().put("format", "csv")).await();
    assertThat(csv.getString("body").split("\r\n")).hasSize(3);
    assertThat(csv.getString("truncated")).isEqualTo("the newest 2 runs of more that match; narrow it with since and until");
    JsonObject json = new JsonObject(two.export(new JsonObject()).await().getString("body"));
    assertThat(json.getJsonArray("runs").stream().map(r -> ((JsonObject) r).getString("id"))).containsExactly("r3", "r2");
    assertThat(json.getBoolean("truncated")).isTrue();
    assertThat(json.getInteger("limit")).isEqualTo(2);
    JsonObject whole = two.export(new JsonObject().put("since", Long.toString(now - 2_500))).await();
    assertThat(whole.containsKey("truncated")).as("all that match").isFalse();
    assertThat(new JsonObject(whole.getString("body")).containsKey("truncated")).isFalse();
  }

  @Test
  void exportTakesTheRunFilters() {
    long now = System.currentTimeMillis();
    store.insertRuns(List.of(run("calm-1", "calm", "succeeded", now - 3_000, 100, "release-a"),
        run("failing-1", "failing", "failed", now - 2_000, 35.5, "release-b"),
        run("calm-2", "calm", "succeeded", now - 1_000, 100, "release-a"))).await();

    String all = queries.export(new JsonObject().put("format", "csv")).await().getString("body");
    assertThat(all.split("\r\n")).hasSize(4);
    String failed = queries.export(new JsonObject().put("format", "csv").put("status", "failed")).await().getString("body");
    assertThat(failed.split("\r\n")).hasSize(2);
    assertThat(failed.split("\r\n")[1]).startsWith("failing-1,failing,failed,");
    JsonObject json = new JsonObject(queries.export(new JsonObject().put("name", "calm").put("min_score", "50")).await().getString("body"));
    assertThat(json.getJsonArray("runs").stream().map(r -> ((JsonObject) r).getString("id"))).containsExactly("calm-2", "calm-1");

    assertThatThrownBy(() -> queries.export(new JsonObject().put("format", "csv").put("min_score", "101")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("101")
        .satisfies(e -> assertThat(((ChaosConfigException) e).field()).isEqualTo("min_score"));
    assertThatThrownBy(() -> queries.export(new JsonObject().put("status", "great")))
        .satisfies(e -> assertThat(((ChaosConfigException) e).field()).isEqualTo("status"));
    // history keeps ended runs only: a filter on running ones could find nothing, and says where they are
    assertThatThrownBy(() -> queries.runs(new JsonObject().put("status", "running")))
        .hasMessageContaining("GET /api/chaos/orchestration/status")
        .satisfies(e -> assertThat(((ChaosConfigException) e).field()).isEqualTo("status"));
  }

  /**
   * The summary and an orchestration's trend count every kept run: they read the newest 10,000 and said 10,000 runs,
   * a 100 % success rate and an average of 100 where the 100 oldest had failed with a score of 0.
   */
  @Test
  void theSummaryAndTheTrendCountEveryKeptRun() {
    long now = System.currentTimeMillis();
    List<JsonObject> runs = new java.util.ArrayList<>();
    for (int i = 0; i < 10_100; i++) {
      boolean old = i < 100;
      runs.add(run("r" + i, "bulk", old ? "failed" : "succeeded", now - DAY + i * 1_000L, old ? 0 : 100, "v1"));
      if (runs.size() == 500) {
        store.insertRuns(runs).await();
        runs.clear();
      }
    }
    store.insertRuns(runs).await();
    store.insertRuns(List.of(run("other", "search", "succeeded", now - 2 * DAY, 50, "v1"))).await();

    JsonObject summary = queries.summary(new JsonObject()).await();
    assertThat(summary.getLong("runs")).isEqualTo(10_101);
    assertThat(summary.getJsonObject("by_status").getLong("failed")).isEqualTo(100);
    assertThat(summary.getJsonObject("by_status").getLong("succeeded")).isEqualTo(10_001);
    assertThat(summary.getDouble("avg_resilience_score")).isEqualTo(Math.round((10_000 * 100.0 + 50) / 10_101 * 10) / 10.0);
    assertThat(summary.getLong("first_run_at")).isEqualTo(now - 2 * DAY);
    assertThat(summary.getLong("last_run_at")).isEqualTo(now - DAY + 10_099 * 1_000L);
    assertThat(summary.getJsonArray("orchestrations").stream().map(o -> ((JsonObject) o).getString("name")))
        .as("the most recently run first").containsExactly("bulk", "search");
    assertThat(summary.getJsonArray("orchestrations").getJsonObject(0).getDouble("avg_resilience_score")).isEqualTo(99.0);

    JsonObject trend = queries.trends(new JsonObject().put("name", "bulk").put("days", 30)).await();
    assertThat(trend.getInteger("runs")).isEqualTo(10_100);
    assertThat(trend.getDouble("success_rate")).isCloseTo(100.0 * 10_000 / 10_100, within(1e-9));
    assertThat(trend.getDouble("avg_resilience_score")).isEqualTo(99.0);
  }
}
