package io.faultline.history.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.event.ExchangeRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HistoryStore} must do, run against each real database by a subclass: SQLite in a
 * temporary file, PostgreSQL in a temporary server.
 */
abstract class HistoryStoreContract {

  protected final Vertx vertx = Vertx.vertx();
  protected HistoryStore store;

  /** A fresh, migrated store on an empty database. */
  protected abstract HistoryStore open() throws Exception;

  /** The same database opened again (as after a restart). */
  protected abstract HistoryStore reopen() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = open();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close().await();
    }
    vertx.close().await();
  }

  static JsonObject run(String id, String name, String status, long startedAt, double score, String... tags) {
    JsonObject document = new JsonObject().put("id", id).put("name", name).put("status", status).put("steps", new JsonArray());
    return new JsonObject().put("id", id).put("name", name).put("status", status).put("mode", "sequential").put("node", "n1")
        .put("started_at", startedAt).put("ended_at", startedAt + 1_000).put("resilience_score", score)
        .put("request_count", 100L).put("error_count", 5L).put("error_rate", 0.05).put("avg_latency", 1.5).put("p95_latency", 3.0)
        .put("tags", new JsonArray(List.of((Object[]) tags))).put("document", document);
  }

  @Test
  void runTotalsCountEveryRunByOrchestrationAndStatus() {
    store.insertRuns(List.of(run("r1", "checkout", "succeeded", 1_000, 90.5), run("r2", "checkout", "succeeded", 2_000, 80.0),
        run("r3", "checkout", "failed", 3_000, 40.0), run("r4", "search", "failed", 4_000, 0).putNull("resilience_score"))).await();
    List<JsonObject> totals = new ArrayList<>(store.runTotals().await());
    totals.sort(java.util.Comparator.comparing((JsonObject t) -> t.getString("name") + "/" + t.getString("status")));
    assertThat(totals).extracting(t -> t.getString("name") + "/" + t.getString("status") + " " + t.getLong("runs") + " "
        + t.getLong("scored") + " " + (t.getValue("score_sum") == null ? null : ((Number) t.getValue("score_sum")).doubleValue()) + " "
        + t.getLong("first_at") + "-" + t.getLong("last_at"))
        .containsExactly("checkout/failed 1 1 40.0 3000-3000", "checkout/succeeded 2 2 170.5 1000-2000", "search/failed 1 0 null 4000-4000");
  }

  @Test
  void runsAreKeptOnceAndFilteredNewestFirst() throws Exception {
    store.insertRuns(List.of(run("r1", "checkout", "succeeded", 1_000, 90.5, "env:staging", "v1"),
        run("r2", "checkout", "failed", 2_000, 40.0, "v2"), run("r3", "search", "succeeded", 3_000, 75.0, "100%_sure"))).await();
    store.insertRuns(List.of(run("r1", "checkout", "failed", 9_000, 0, "again"))).await(); // a second delivery changes nothing

    assertThat(ids(store.runs(RunFilter.all(10)).await())).containsExactly("r3", "r2", "r1");
    assertThat(ids(store.runs(new RunFilter("checkout", null, null, null, null, null, 10)).await())).containsExactly("r2", "r1");
    assertThat(ids(store.runs(new RunFilter(null, "v1", null, null, null, null, 10)).await())).containsExactly("r1");
    assertThat(ids(store.runs(new RunFilter(null, "100%_sure", null, null, null, null, 10)).await())).containsExactly("r3");
    assertThat(ids(store.runs(new RunFilter(null, "100%", null, null, null, null, 10)).await())).as("a tag matches whole").isEmpty();
    assertThat(ids(store.runs(new RunFilter(null, "V1", null, null, null, null, 10)).await())).as("case counts, on every database").isEmpty();
    assertThat(ids(store.runs(new RunFilter("Checkout", null, null, null, null, null, 10)).await())).isEmpty();
    assertThat(ids(store.runs(new RunFilter(null, null, "failed", null, null, null, 10)).await())).containsExactly("r2");
    assertThat(ids(store.runs(new RunFilter(null, null, null, 1_500L, 2_500L, null, 10)).await())).containsExactly("r2");
    assertThat(ids(store.runs(new RunFilter(null, null, null, null, null, 75.0, 10)).await())).containsExactly("r3", "r1");
    assertThat(ids(store.runs(RunFilter.all(1)).await())).containsExactly("r3");

    JsonObject first = store.runs(new RunFilter(null, "v1", null, null, null, null, 10)).await().get(0);
    assertThat(first.getDouble("resilience_score")).isEqualTo(90.5);
    assertThat(first.getLong("request_count")).isEqualTo(100L);
    assertThat(first.getJsonArray("tags")).containsExactly("env:staging", "v1");
    assertThat(store.run("r1").await().getString("status")).isEqualTo("succeeded");
    assertThat(store.run("nope").await()).isNull();
  }

  @Test
  void historySurvivesReopening() throws Exception {
    store.insertRuns(List.of(run("kept", "checkout", "succeeded", 1_000, 100.0))).await();
    store.close().await();
    store = reopen();
    assertThat(store.run("kept").await().getString("name")).isEqualTo("checkout");
  }

  @Test
  void exchangesAreSearchedAsReference001Writes() {
    List<ExchangeRecord> records = new ArrayList<>();
    records.add(new ExchangeRecord(1_000, "web", "http", "default", "GET", "/api/orders/1", null, 500, "5xx",
        List.of("http_error"), 2_000_000, 0, "4bf92f3577b34da6a3ce929d0e0e4736"));
    records.add(new ExchangeRecord(2_000, "web", "http", "default", "GET", "/api/orders/2", null, 200, "2xx",
        List.of("latency"), 150_000_000, 150, null));
    records.add(new ExchangeRecord(3_000, "rpc", "grpc", "default", "POST", "/shop.Pay/Charge", null, 14, "5xx",
        List.of("latency", "grpc_status"), 1_000_000, 20, null));
    List<RecordedExchange> batch = kept(records);
    store.insertExchanges("n1", batch).await();
    store.insertExchanges("n1", batch).await(); // the writer's retry of a batch whose first write's answer was lost
    assertThat(store.counts().await().getLong("exchanges")).as("each exchange stored once").isEqualTo(3L);

    assertThat(paths(new ExchangeFilter(500, null, null, null, null, null, 10))).containsExactly("/api/orders/1");
    assertThat(paths(new ExchangeFilter(null, "/api/orders/*", null, null, null, null, 10))).containsExactly("/api/orders/2", "/api/orders/1");
    assertThat(paths(new ExchangeFilter(null, "/api/orders/2", null, null, null, null, 10))).containsExactly("/api/orders/2");
    assertThat(paths(new ExchangeFilter(null, null, "latency", null, null, null, 10))).containsExactly("/shop.Pay/Charge", "/api/orders/2");
    assertThat(paths(new ExchangeFilter(null, null, "grpc", null, null, null, 10))).as("a fault type matches whole").isEmpty();
    assertThat(paths(new ExchangeFilter(null, "/API/orders/*", null, null, null, null, 10))).as("case counts, on every database").isEmpty();
    assertThat(paths(new ExchangeFilter(null, null, "LATENCY", null, null, null, 10))).isEmpty();
    assertThat(paths(new ExchangeFilter(null, null, null, "rpc", null, null, 10))).containsExactly("/shop.Pay/Charge");
    assertThat(paths(new ExchangeFilter(null, null, null, null, 1_500L, 2_500L, 10))).containsExactly("/api/orders/2");
    JsonObject one = store.exchanges(new ExchangeFilter(500, null, null, null, null, null, 1)).await().get(0);
    assertThat(one.getJsonArray("faults")).containsExactly("http_error");
    assertThat(one.getDouble("duration_ms")).isEqualTo(2.0);
    assertThat(one.getString("trace_id")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void aBatchIsWrittenWholeOrNotAtAll() {
    List<ExchangeRecord> records = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // the middle one has no listener, which the table refuses (NOT NULL)
      records.add(new ExchangeRecord(1_000 + i, i == 1 ? null : "web", "http", "default", "GET", "/" + i, null, 200, "2xx",
          List.of("latency"), 1_000_000, 1, null));
    }
    assertThatThrownBy(() -> store.insertExchanges("n1", kept(records)).await()).as("the batch fails").isNotNull();
    assertThat(paths(new ExchangeFilter(null, null, null, null, null, null, 10))).as("and none of it is kept").isEmpty();
  }

  @Test
  void batchesOfRunsChangesAndWindowsAreWrittenWholeOrNotAtAll() {
    // in each batch the middle row lacks a value its table requires (NOT NULL): the first row must not stay behind
    List<JsonObject> runs = List.of(run("r1", "a", "succeeded", 1_000, 90), run("r2", null, "succeeded", 2_000, 90),
        run("r3", "c", "succeeded", 3_000, 90));
    assertThatThrownBy(() -> store.insertRuns(runs).await()).as("the runs' batch fails").isNotNull();
    List<JsonObject> changes = new ArrayList<>();
    List<JsonObject> windows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      changes.add(new JsonObject().put("at", i == 1 ? null : 1_000L + i).put("node", "n1").put("version", (long) i)
          .put("address", "faultline.chaos.set").put("source", "rest"));
      windows.add(new JsonObject().put("id", "w" + i).put("node", "n1").put("started_at", i == 1 ? null : 1_000L + i)
          .put("ended_at", 5_000L).put("source", "cli").put("config", new JsonObject()).put("metrics", new JsonObject()));
    }
    assertThatThrownBy(() -> store.insertChanges(changes).await()).as("the changes' batch fails").isNotNull();
    assertThatThrownBy(() -> store.insertWindows(windows).await()).as("the windows' batch fails").isNotNull();
    JsonObject counts = store.counts().await();
    assertThat(List.of(counts.getLong("runs"), counts.getLong("changes"), counts.getLong("windows")))
        .as("runs, changes, windows kept").containsExactly(0L, 0L, 0L);

    store.insertRuns(List.of(runs.get(0), runs.get(2))).await();
    assertThat(store.counts().await().getLong("runs")).as("the good rows, sent again, are written").isEqualTo(2L);
  }

  @Test
  void valuesWiderThanTheirColumnsAreCutNotRefused() {
    String longer = "x".repeat(300); // a script's source header can carry any detail; a node id any length
    JsonObject run = run("r1", "a", "succeeded", 1_000, 90).put("node", longer);
    store.insertRuns(List.of(run)).await();
    store.insertChanges(List.of(new JsonObject().put("at", 1_000L).put("node", longer).put("version", 1L)
        .put("address", "faultline.chaos.set").put("source", "orchestration").put("detail", longer))).await();
    store.insertWindows(List.of(new JsonObject().put("id", "w1").put("node", longer).put("started_at", 1_000L)
        .put("ended_at", 2_000L).put("source", longer).put("config", new JsonObject()).put("metrics", new JsonObject()))).await();
    store.insertExchanges(longer, kept(List.of(new ExchangeRecord(1_000, longer, "http", longer, "GET", "/", null, 200, "2xx",
        List.of("latency"), 1_000_000, 1, null)))).await();

    assertThat(store.runs(RunFilter.all(10)).await().get(0).getString("node")).hasSize(128);
    assertThat(store.changes(0, 10_000, 10).await().get(0).getString("detail")).hasSize(256);
    assertThat(store.windows(0, 10_000, 10).await().get(0).getString("source")).hasSize(64);
    assertThat(store.counts().await().getLong("exchanges")).isEqualTo(1L);
  }

  /**
   * A NUL in a text (a request path with %00, a name a script sent) is kept as U+FFFD: PostgreSQL refused
   * the statement, and every record written with it was lost.
   */
  @Test
  void aNulInATextIsKeptNotRefusedWithTheRecordsAroundIt() {
    store.insertExchanges("n1", kept(List.of(
        new ExchangeRecord(1_000, "web", "http", "default", "GET", "/ok", null, 200, "2xx", List.of("latency"), 1_000_000, 1, null),
        new ExchangeRecord(1_001, "web", "http", "default", "GET", "/nul\u0000x", null, 502, "5xx", List.of("latency"), 1_000_000, 1, null))))
        .await();
    assertThat(store.counts().await().getLong("exchanges")).isEqualTo(2L);
    store.insertRuns(List.of(run("r-nul", "nul\u0000name", "succeeded", 1_000, 90))).await();
    assertThat(store.runs(RunFilter.all(10)).await().get(0).getString("name")).isEqualTo("nul\uFFFDname");
    // and searched for as it is kept: PostgreSQL refused a NUL in a search (a 500), SQLite found nothing
    assertThat(ids(store.runs(new RunFilter("nul\u0000name", null, null, null, null, null, 10)).await())).containsExactly("r-nul");
    assertThat(store.exchanges(new ExchangeFilter(null, "/nul\u0000x", null, null, null, null, 10)).await()).hasSize(1);
  }

  /**
   * A window written again (each node of a shared database that stops while it is open writes it, under one id) is kept
   * once, with its latest end and that writer's node and figures; an earlier end written after it changes nothing.
   */
  @Test
  void aWindowWrittenAgainKeepsItsLatestEnd() {
    java.util.function.BiFunction<String, Long, JsonObject> window = (node, end) -> new JsonObject().put("id", "w1").put("node", node)
        .put("started_at", 1_000L).put("ended_at", end).put("source", "rest").put("config", new JsonObject())
        .put("metrics", new JsonObject().put("closed_by", "shutdown").put("request_count", end));
    store.insertWindows(List.of(window.apply("n1", 4_000L))).await();
    store.insertWindows(List.of(window.apply("n2", 6_000L))).await();
    store.insertWindows(List.of(window.apply("n3", 5_000L))).await();
    List<JsonObject> kept = store.windows(0, 10_000, 10).await();
    assertThat(kept).hasSize(1);
    assertThat(kept.get(0).getLong("ended_at")).isEqualTo(6_000L);
    assertThat(kept.get(0).getString("node")).isEqualTo("n2");
    assertThat(kept.get(0).getJsonObject("metrics").getLong("request_count")).isEqualTo(6_000L);
    // twice in one batch (PostgreSQL refuses an upsert meeting its own row twice, and the batch with it)
    store.insertWindows(List.of(window.apply("n1", 9_000L), window.apply("n2", 8_000L))).await();
    assertThat(store.windows(0, 10_000, 10).await()).singleElement().satisfies(w -> assertThat(w.getLong("ended_at")).isEqualTo(9_000L));
  }

  @Test
  void changesWindowsAndExperimentsRoundTrip() {
    JsonObject change = new JsonObject().put("at", 5_000L).put("node", "n1").put("version", 3L).put("address", "faultline.chaos.set")
        .put("source", "rest").put("detail", null)
        .put("diff", new JsonArray().add(new JsonObject().put("path", "latency.fixed_delay_ms").put("from", null).put("to", 100)));
    store.insertChanges(List.of(change, change.copy())).await();
    List<JsonObject> changes = store.changes(0, 10_000, 10).await();
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).getJsonArray("diff").getJsonObject(0).getInteger("to")).isEqualTo(100);

    store.insertWindows(List.of(new JsonObject().put("id", "w1").put("node", "n1").put("started_at", 1_000L).put("ended_at", 4_000L)
        .put("source", "cli").put("config", new JsonObject().put("enabled", true))
        .put("metrics", new JsonObject().put("request_count", 7)))).await();
    assertThat(store.windows(0, 10_000, 10).await().get(0).getJsonObject("metrics").getInteger("request_count")).isEqualTo(7);

    store.putExperiment(new JsonObject().put("id", "e1").put("kind", "ab").put("status", "running").put("started_at", 1L)).await();
    store.putExperiment(new JsonObject().put("id", "e1").put("kind", "ab").put("status", "succeeded").put("started_at", 1L)
        .put("ended_at", 9L).put("winner", "a")).await();
    assertThat(store.experiment("e1").await().getString("winner")).isEqualTo("a");
    assertThat(store.experiments(10).await()).hasSize(1);
    assertThat(store.counts().await().getLong("changes")).isEqualTo(1L);
  }

  /** More rows than are made JSON on the event loop are made so on a worker, and come back the same (tags read, newest first). */
  @Test
  void manyRunsAreReadWhole() {
    List<JsonObject> runs = new ArrayList<>();
    for (int i = 0; i < SqlHistoryStore.ROWS_ON_THE_LOOP + 500; i++) {
      runs.add(run("m" + i, "many", "succeeded", 1_000L + i, 50.0, "t" + (i % 3)));
    }
    store.insertRuns(runs).await();
    List<JsonObject> read = store.runs(RunFilter.all(5_000)).await();
    assertThat(read).hasSize(SqlHistoryStore.ROWS_ON_THE_LOOP + 500);
    assertThat(read.get(0).getString("id")).isEqualTo("m" + (SqlHistoryStore.ROWS_ON_THE_LOOP + 499));
    assertThat(read.get(0).getJsonArray("tags").getList()).containsExactly("t" + ((SqlHistoryStore.ROWS_ON_THE_LOOP + 499) % 3));
  }

  @Test
  void retentionKeepsTheNewestWithinAge() {
    long day = 86_400_000L;
    long now = 100 * day;
    List<JsonObject> runs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      runs.add(run("r" + i, "x", "succeeded", now - (6 - i) * day, 50.0));
    }
    store.insertRuns(runs).await();
    List<ExchangeRecord> exchanges = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      exchanges.add(new ExchangeRecord(now - i, "web", "http", "default", "GET", "/" + i, null, 500, "5xx", List.of("http_error"), 0, 0, null));
    }
    store.insertExchanges("n1", kept(exchanges)).await();

    JsonObject deleted = store.prune(new Retention(5, 3, 100, 4), now).await();
    // r0 is 6 days old (beyond 5 days); of r1..r5 the 3 newest stay
    assertThat(ids(store.runs(RunFilter.all(10)).await())).containsExactly("r5", "r4", "r3");
    assertThat(deleted.getLong("runs")).isEqualTo(3L);
    assertThat(paths(new ExchangeFilter(null, null, null, null, null, null, 100))).containsExactly("/0", "/1", "/2", "/3");
  }

  /** The recorder's cap between retention's passes: the newest {@code keep} stay, whatever their age, and the rest of the history is left. */
  @Test
  void trimmingExchangesKeepsTheNewestAndNothingElse() {
    List<ExchangeRecord> exchanges = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      exchanges.add(new ExchangeRecord(1_000L - i, "web", "http", "default", "GET", "/" + i, null, 200, "2xx", List.of(), 0, 0, null));
    }
    store.insertExchanges("n1", kept(exchanges)).await();
    store.insertRuns(List.of(run("r0", "x", "succeeded", 1L, 50.0))).await();
    assertThat(store.trimExchanges(3).await()).isEqualTo(7L);
    assertThat(paths(new ExchangeFilter(null, null, null, null, null, null, 100))).containsExactly("/0", "/1", "/2");
    assertThat(store.trimExchanges(3).await()).isZero();
    assertThat(ids(store.runs(RunFilter.all(10)).await())).containsExactly("r0");
  }

  private List<String> paths(ExchangeFilter filter) {
    return store.exchanges(filter).await().stream().map(e -> e.getString("path")).toList();
  }

  private static final AtomicLong KEPT = new AtomicLong();

  /** Each exchange as the flight recorder keeps it, with an id of its own. */
  private static List<RecordedExchange> kept(List<ExchangeRecord> exchanges) {
    return exchanges.stream().map(e -> new RecordedExchange("t-" + KEPT.getAndIncrement(), e)).toList();
  }

  private static List<String> ids(List<JsonObject> runs) {
    return runs.stream().map(r -> r.getString("id")).toList();
  }
}
