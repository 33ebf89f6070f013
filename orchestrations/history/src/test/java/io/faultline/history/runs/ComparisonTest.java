package io.faultline.history.runs;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Runs compared step by step, over a real (SQLite) store. */
class ComparisonTest {

  private final Vertx vertx = Vertx.vertx();
  private HistoryStore store;

  @TempDir
  Path dir;

  @BeforeEach
  void open() {
    store = Databases.open(vertx, Databases.target(null, dir, "history.db", "history.url"), 2).await();
  }

  @AfterEach
  void close() {
    store.close().await();
    vertx.close().await();
  }

  private static JsonObject step(String name, double errorRate, long requests) {
    return new JsonObject().put("name", name).put("iteration", 1).put("status", "succeeded")
        .put("metrics", new JsonObject().put("error_rate", errorRate).put("request_count", requests).put("p95_latency", 10.0));
  }

  private static JsonObject run(String id, long startedAt, JsonObject... steps) {
    JsonObject document = new JsonObject().put("id", id).put("name", "checkout").put("status", "succeeded")
        .put("started_at", startedAt).put("ended_at", startedAt + 1_000).put("steps", new JsonArray(List.of((Object[]) steps)))
        .put("metrics", new JsonObject().put("request_count", 100L).put("error_count", 0L));
    return new JsonObject().put("id", id).put("name", "checkout").put("status", "succeeded").put("mode", "sequential").put("node", "n1")
        .put("started_at", startedAt).put("ended_at", startedAt + 1_000).put("resilience_score", 90.0)
        .put("request_count", 100L).put("error_count", 0L).put("error_rate", 0.0).put("avg_latency", 1.0).put("p95_latency", 2.0)
        .put("tags", new JsonArray()).put("document", document);
  }

  /**
   * A step the first run lacks has no deltas: they were taken from whichever run had it first (the third run's
   * differences from the second), shown as differences from the first run.
   */
  @Test
  void aStepTheFirstRunLacksHasNoDeltas() {
    store.insertRuns(List.of(run("a", 1_000, step("warm", 0.0, 100)), run("b", 2_000, step("warm", 0.1, 100), step("new", 0.2, 50)),
        run("c", 3_000, step("warm", 0.3, 100), step("new", 0.5, 80)))).await();
    JsonObject compared = new Comparison(store).compare(new JsonObject().put("ids", "a,b,c")).await();
    JsonArray steps = compared.getJsonArray("steps");
    JsonObject warm = steps.getJsonObject(0);
    assertThat(warm.getString("name")).isEqualTo("warm");
    assertThat(warm.getJsonArray("runs").getJsonObject(2).getJsonObject("delta").getDouble("error_rate"))
        .isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
    JsonObject added = steps.getJsonObject(1);
    assertThat(added.getString("name")).isEqualTo("new");
    assertThat(added.getJsonArray("runs").stream().map(r -> ((JsonObject) r).getValue("delta"))).containsExactly(null, null);
  }
}
