package io.faultline.gateway;

import static io.faultline.gateway.HistoryTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flight recorder and live analytics through the real gateway, on real traffic to a real upstream. */
class RecorderAnalyticsTest {

  @TempDir
  Path dir;

  private GatewayFixture gw;
  private SteadyTraffic traffic;

  @AfterEach
  void stop() {
    if (traffic != null) {
      traffic.close();
    }
    if (gw != null) {
      gw.close();
    }
  }

  private GatewayFixture gateway(String yaml, Map<Flag, String> flags) throws Exception {
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, yaml);
    return new GatewayFixture(file, flags);
  }

  private static double metric(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .findFirst().orElse(-1);
  }

  @Test
  void failedRequestsAreFoundWithReference001sSearch() throws Exception {
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [500], \"http_error_probability\": 1.0}");
    gw.post("/api/chaos/enable");
    for (int i = 0; i < 5; i++) {
      assertThat(gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/orders/" + i)
          .putHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").send().await().statusCode()).isEqualTo(500);
    }
    gw.post("/api/chaos/disable");
    assertThat(gw.traffic("/calm").statusCode()).isEqualTo(200);
    // reference 001's body, verbatim
    JsonObject found = eventually(() -> {
      JsonObject r = gw.postJson("/api/recorder/search", "{\"status_code\": 500}").bodyAsJsonObject();
      return r.getInteger("count") == 5 ? r : null;
    }, 10);
    JsonObject record = found.getJsonArray("records").getJsonObject(0);
    assertThat(record.getString("path")).startsWith("/orders/");
    assertThat(record.getString("method")).isEqualTo("GET");
    assertThat(record.getJsonArray("faults")).containsExactly("http_error");
    assertThat(record.getString("trace_id")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(record.getString("listener")).isEqualTo("web");
    assertThat(gw.postJson("/api/recorder/search", "{\"path\": \"/orders/3\"}").bodyAsJsonObject().getInteger("count")).isEqualTo(1);
    // a prefix as a route writes it (/orders/**) is the prefix; a * elsewhere was read as text, and found nothing
    assertThat(gw.postJson("/api/recorder/search", "{\"path\": \"/orders/**\"}").bodyAsJsonObject().getInteger("count")).isEqualTo(5);
    HttpResponse<Buffer> glob = gw.postJson("/api/recorder/search", "{\"path\": \"/*/3\"}");
    assertThat(glob.statusCode()).isEqualTo(400);
    assertThat(glob.bodyAsJsonObject().getString("field")).isEqualTo("path");
    assertThat(gw.postJson("/api/recorder/search", "{\"path\": \"/calm\"}").bodyAsJsonObject().getInteger("count"))
        .as("an exchange no fault touched is not recorded unless sampling is asked").isZero();
    // the manual chaos window (enable ... disable) and its changes were kept, with where they came from
    JsonObject window = eventually(() -> {
      JsonArray w = gw.get("/api/history/windows").bodyAsJsonObject().getJsonArray("windows");
      return w.isEmpty() ? null : w.getJsonObject(0);
    }, 10);
    assertThat(window.getString("source")).isEqualTo("rest");
    assertThat(window.getJsonObject("metrics").getInteger("request_count")).isEqualTo(5);
    assertThat(window.getJsonObject("metrics").getDouble("error_rate")).isEqualTo(1.0);
    // a window is in a time range it overlaps, also when it opened before the range's start
    long started = window.getLong("started_at");
    long ended = window.getLong("ended_at");
    assertThat(gw.get("/api/history/windows?since=" + (started + 1) + "&until=" + (ended + 1_000)).bodyAsJsonObject()
        .getJsonArray("windows")).as("opened before since, closed after it").hasSize(1);
    assertThat(gw.get("/api/history/windows?since=" + (ended + 1)).bodyAsJsonObject().getJsonArray("windows"))
        .as("closed before since").isEmpty();
    assertThat(gw.get("/api/history/windows?since=0&until=" + (started - 1)).bodyAsJsonObject().getJsonArray("windows"))
        .as("opened after until").isEmpty();

    // the same through the GraphQL control API
    JsonObject graphql = gw.postJson("/graphql", new JsonObject().put("query", "query($f: JSON) { recorderSearch(filter: $f) historySummary "
        + "historyRuns(limit: 5) }").put("variables", new JsonObject().put("f", new JsonObject().put("status_code", 500))).encode())
        .bodyAsJsonObject();
    assertThat(graphql.getJsonObject("data").getJsonObject("recorderSearch").getInteger("count")).as(graphql.encode()).isEqualTo(5);
    assertThat(graphql.getJsonObject("data").getJsonObject("historySummary").getInteger("runs")).isZero();
    JsonObject refused = gw.postJson("/graphql", "{\"query\": \"{ historyRuns(limit: 0) }\"}").bodyAsJsonObject();
    assertThat(refused.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("field")).isEqualTo("limit");

    // bad searches are refused, naming the field
    var bad = gw.postJson("/api/recorder/search", "{\"status_code\": \"abc\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("status_code");
    assertThat(gw.postJson("/api/recorder/search", "{\"statuscode\": 500}").bodyAsJsonObject().getString("field")).isEqualTo("statuscode");
    assertThat(gw.postJson("/api/recorder/search", "{\"since\": \"yesterday\"}").bodyAsJsonObject().getString("field")).isEqualTo("since");
    var misspelt = gw.postJson("/api/recorder/search", "{\"fault\": \"http_errors\"}");
    assertThat(misspelt.statusCode()).isEqualTo(400);
    assertThat(misspelt.bodyAsJsonObject().getString("error")).startsWith("unknown fault type http_errors; known: [").contains("http_error,");
    assertThat(gw.postJson("/api/recorder/search", "{\"fault\": \"http_error\"}").bodyAsJsonObject().getInteger("count")).isEqualTo(5);
  }

  @Test
  void aChaosWindowStillOpenWhenTheNodeStopsIsKept() throws Exception {
    // the usual CI shape: serve --chaos, the tests' traffic, then the node is stopped; chaos never went off
    Map<Flag, String> flags = Map.of(Flag.STATE_DIR, dir.toString(), Flag.CHAOS, "true", Flag.CHAOS_HTTP_ERRORS, "503",
        Flag.CHAOS_HTTP_ERROR_PROBABILITY, "1.0");
    gw = new GatewayFixture(flags);
    for (int i = 0; i < 4; i++) {
      assertThat(gw.traffic("/ci/" + i).statusCode()).isEqualTo(503);
    }
    // while chaos is on, its window is shown open, with what traffic saw so far (it was left out until it closed)
    JsonObject answer = gw.get("/api/history/windows?since=" + (System.currentTimeMillis() - 5_000)).bodyAsJsonObject();
    assertThat(answer.getJsonArray("windows")).as(answer.encode()).hasSize(1);
    JsonObject open = answer.getJsonArray("windows").getJsonObject(0);
    assertThat(open.getValue("ended_at")).as(open.encode()).isNull();
    assertThat(open.getString("source")).isEqualTo("startup");
    assertThat(open.getJsonObject("metrics").getInteger("request_count")).isEqualTo(4);
    assertThat(gw.get("/api/history/windows?until=" + (open.getLong("started_at") - 1)).bodyAsJsonObject().getJsonArray("windows"))
        .as("opened after until").isEmpty();
    gw.close();
    gw = new GatewayFixture(Map.of(Flag.STATE_DIR, dir.toString()));
    JsonArray windows = gw.get("/api/history/windows").bodyAsJsonObject().getJsonArray("windows");
    assertThat(windows).as(windows.encode()).hasSize(1);
    JsonObject window = windows.getJsonObject(0);
    assertThat(window.getString("source")).isEqualTo("startup");
    assertThat(window.getJsonObject("metrics").getString("closed_by")).isEqualTo("shutdown");
    assertThat(window.getJsonObject("metrics").getInteger("request_count")).isEqualTo(4);
    assertThat(window.getJsonObject("metrics").getDouble("error_rate")).isEqualTo(1.0);
  }

  /**
   * The recorded exchanges are held near max_exchanges as they are written, in the recorder's database of its own
   * ({@code --recorder-db}) too, and the summary counts that database's. Retention ran only at start and hourly: 30
   * exchanges stayed against max_exchanges 10 until a restart (and a busy recorder wrote a hundred times its bound
   * in an hour); before that, a recorder database of its own was not pruned at all and the summary counted the main one.
   */
  @Test
  void aRecorderDatabaseOfItsOwnIsHeldToMaxExchangesAsItIsWrittenAndCounted() throws Exception {
    Map<Flag, String> flags = Map.of(Flag.STATE_DIR, dir.toString(), Flag.RECORDER_DB, dir.resolve("recorder.db").toString());
    gw = gateway("history: {max_exchanges: 10, flush_ms: 200}\nrecorder: {sample_rate: 1.0}\n", flags);
    for (int i = 0; i < 30; i++) {
      assertThat(gw.traffic("/kept/" + i).statusCode()).isEqualTo(200);
      Thread.sleep(3); // each ends in a millisecond of its own: the cap keeps the rows tied with the 10th newest
    }
    String newest = "{\"limit\": 1, \"path\": \"/kept/29\"}";
    eventually(() -> gw.postJson("/api/recorder/search", newest).bodyAsJsonObject().getLong("count") == 1 ? true : null, 15);
    long kept = eventually(() -> {
      long n = gw.get("/api/history/summary").bodyAsJsonObject().getJsonObject("kept").getLong("exchanges");
      return n <= 11 ? n : null; // the 10 newest, and any tied with the 10th
    }, 15);
    assertThat(kept).isGreaterThanOrEqualTo(10);
    JsonObject found = gw.postJson("/api/recorder/search", "{\"limit\": 1000}").bodyAsJsonObject();
    assertThat(found.getLong("count")).as(found.encode()).isEqualTo(kept);
    assertThat(gw.postJson("/api/recorder/search", newest).bodyAsJsonObject().getLong("count")).as("the newest stays").isEqualTo(1);
  }

  /**
   * {@code sample_rate: 0.7} records about 70% of untouched exchanges. It recorded all of them: the rate was read as
   * one in round(1 / 0.7), one in one.
   */
  @Test
  void aSampleRateRecordsThatShareOfUntouchedExchanges() throws Exception {
    gw = gateway("history: {flush_ms: 200}\nrecorder: {sample_rate: 0.7}\n", Map.of());
    for (int i = 0; i < 200; i++) {
      assertThat(gw.traffic("/sampled/" + i).statusCode()).isEqualTo(200);
    }
    // 140 of the 200, within a few (the sequence also counts exchanges of the fixture's own: its readiness probe);
    // read after five flushes more than the first that wrote any
    String search = "{\"limit\": 1000, \"path\": \"/sampled/*\"}";
    eventually(() -> gw.postJson("/api/recorder/search", search).bodyAsJsonObject().getLong("count") > 0 ? true : null, 15);
    Thread.sleep(1_000);
    long recorded = gw.postJson("/api/recorder/search", search).bodyAsJsonObject().getLong("count");
    assertThat(recorded).isBetween(130L, 150L);
  }

  @Test
  void aFloodedRecorderDropsAndCountsInsteadOfSlowingTraffic() throws Exception {
    // a queue of 10 records, drained every second: 400 faulted requests in a burst cannot all fit
    gw = gateway("recorder: {queue_size: 10}\nhistory: {flush_ms: 1000}\n", Map.of());
    gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 1.0}");
    gw.post("/api/chaos/enable");
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      answers.add(gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/flood").send().map(r -> r.statusCode()));
    }
    Future.all(answers).await();
    assertThat(answers).allMatch(a -> a.result() == 503);
    double dropped = eventually(() -> {
      double d = metric(gw.get("/metrics").bodyAsString(), "faultline_history_dropped_total{kind=\"exchange\"}");
      long kept = gw.postJson("/api/recorder/search", "{\"limit\": 10000}").bodyAsJsonObject().getLong("count");
      return d + kept == 400 ? d : null;
    }, 15);
    assertThat(dropped).isGreaterThan(0);
  }

  @Test
  void anomaliesAreFlaggedOnASpikeAndNotOnSeededCalmTraffic() throws Exception {
    // alpha 0.5: the baseline forgets the start-up (JIT, a loaded machine) within a few seconds of calm
    gw = gateway("analytics: {interval_ms: 200, warmup_samples: 10, ewma_alpha: 0.5}\n", Map.of(Flag.SEED, "42"));
    // calm, with seeded noise: 0-4 ms of random delay on every request
    gw.put("/api/chaos/config/latency", "{\"random_delay_range_ms\": [0, 4], \"probability\": 1.0}");
    gw.post("/api/chaos/enable");
    // enough connections that 300 ms answers still come back at the rate they are asked (the default pool of 5 would not)
    WebClient client = WebClient.create(gw.clientVertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(64));
    traffic = new SteadyTraffic(gw, client);
    // calm until the last 20 samples (4 s) all answered within 30 ms: the gateway is past its start-up
    eventually(() -> {
      JsonArray points = gw.get("/api/analytics/trends/p95_latency?minutes=1").bodyAsJsonObject().getJsonArray("points");
      return points.size() >= 20 && points.stream().skip(points.size() - 20)
          .allMatch(p -> ((JsonArray) p).getDouble(1) > 0 && ((JsonArray) p).getDouble(1) < 30) ? points : null;
    }, 40);
    // Quiet on the count-based series: calm traffic with seeded noise raises no error or chaos-event anomaly. (Latency
    // and request rate are timing: on a 2-core machine shared with other builds a real stall is a real latency anomaly;
    // AnomalyDetectorTest shows them quiet on seeded calm noise.)
    assertThat(gw.get("/api/analytics/anomalies").bodyAsJsonObject().getJsonArray("anomalies").stream()
        .map(o -> ((JsonObject) o).getString("type"))).doesNotContain("high_error_rate", "event_spike");
    JsonObject calmHealth = gw.get("/api/analytics/health").bodyAsJsonObject();
    double calmScore = calmHealth.getDouble("score");

    gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 300, \"probability\": 1.0}");
    gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 0.5}");
    JsonObject anomaly;
    try {
      anomaly = eventually(() -> {
        JsonArray a = gw.get("/api/analytics/anomalies").bodyAsJsonObject().getJsonArray("anomalies");
        return a.stream().map(o -> (JsonObject) o).filter(o -> o.getString("type").equals("latency_anomaly")
            && o.getDouble("value") > 250).findFirst().orElse(null);
      }, 10);
    } catch (AssertionError e) {
      throw new AssertionError("no latency anomaly; p95 samples " + gw.get("/api/analytics/trends/p95_latency?minutes=1").bodyAsJsonObject()
          .getJsonArray("points").encode() + "; requests " + gw.get("/api/analytics/trends/request_rate?minutes=1").bodyAsJsonObject()
          .getJsonArray("points").encode() + "; anomalies " + gw.get("/api/analytics/anomalies").bodyAsString(), e);
    }
    assertThat(anomaly.getDouble("expected")).isLessThan(100.0);
    eventually(() -> gw.get("/api/analytics/anomalies").bodyAsJsonObject().getJsonArray("anomalies").stream()
        .anyMatch(o -> ((JsonObject) o).getString("type").equals("high_error_rate")) ? true : null, 10);
    String scrape = gw.get("/metrics").bodyAsString();
    assertThat(metric(scrape, "faultline_anomalies_total{type=\"latency_anomaly\"}")).isGreaterThanOrEqualTo(1.0);
    assertThat(metric(scrape, "faultline_anomalies_total{type=\"high_error_rate\"}")).isEqualTo(1.0);
    assertThat(scrape).contains("faultline_health_score");
    // half the requests failing and 300 ms against a usual p95 of a few ms: both components fall
    double spikeScore = eventually(() -> {
      Double score = gw.get("/api/analytics/health").bodyAsJsonObject().getDouble("score");
      return score != null && score < calmScore - 10 ? score : null;
    }, 10);
    assertThat(spikeScore).isLessThan(calmScore);
    JsonObject trend = gw.get("/api/analytics/trends/p95_latency?minutes=1").bodyAsJsonObject();
    assertThat(trend.getInteger("samples")).isGreaterThan(10);
    assertThat(gw.get("/api/analytics/insights").bodyAsJsonObject().getJsonArray("insights").stream()
        .map(o -> ((JsonObject) o).getString("kind"))).contains("anomaly");
    assertThat(gw.get("/api/analytics/trends/bogus").bodyAsJsonObject().getString("field")).isEqualTo("metric");
  }

  @Test
  void badHistoryRequestsAreRefusedNamingTheField() throws Exception {
    gw = new GatewayFixture(Map.of());
    Map<String, String> gets = Map.of("/api/history/runs?limit=0", "limit", "/api/history/runs?status=great", "status",
        "/api/history/runs?since=yesterday", "since", "/api/history/compare?ids=only-one", "ids",
        "/api/history/trends/x?days=abc", "days", "/api/history/export?format=xml", "format",
        "/api/history/runs?min_score=101", "min_score", "/api/history/runs?limit=5d", "limit",
        "/api/history/runs?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until",
        "/api/history/changes?since=1764547200000&until=1764460800000", "until");
    gets.forEach((path, field) -> {
      var r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("field")).as(path).isEqualTo(field);
    });
    // epoch seconds (date +%s) were read as milliseconds, a time in January 1970: since kept every run, until none
    for (String path : List.of("/api/history/runs?since=1764547200", "/api/history/changes?until=1764547200",
        "/api/history/export?since=1764547200")) {
      var r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error")).as(path).contains("looks like epoch seconds")
          .contains("give 1764547200000, or 2025-12-01T00:00:00Z");
    }
    assertThat(gw.postJson("/api/recorder/search", "{\"since\": 1764547200}").bodyAsJsonObject().getString("field")).isEqualTo("since");
    // epoch microseconds as a JSON number were a time some 50,000 years on: nothing found, nothing said
    var micros = gw.postJson("/api/recorder/search", "{\"since\": 1764547200000000}").bodyAsJsonObject();
    assertThat(micros.getString("field")).as(micros.encode()).isEqualTo("since");
    assertThat(micros.getString("error")).contains("looks like epoch microseconds or nanoseconds");
    assertThat(gw.get("/api/history/runs?since=0").statusCode()).as("0, the beginning, as written").isEqualTo(200);
    // a misspelt parameter filtered nothing and answered everything; a repeated one took its first value
    Map<String, String> strange = new java.util.LinkedHashMap<>();
    strange.put("/api/history/runs?min-score=50", "min-score");
    strange.put("/api/history/runs?name=a&name=b", "name");
    strange.put("/api/history/export?format=csv&statuss=failed", "statuss");
    strange.put("/api/history/summary?verbose=1", "verbose");
    strange.put("/api/history/runs/run-1?id=run-2", "id");
    strange.put("/api/analytics/trends/error_rate?minute=5", "minute");
    strange.put("/api/history/changes?limit=5&limit=6", "limit");
    strange.put("/api/history/compare?ids=run-a,run-a", "ids");
    strange.forEach((path, field) -> {
      var r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("field")).as(path).isEqualTo(field);
    });
    assertThat(gw.get("/api/history/runs?name=a&name=b").bodyAsJsonObject().getString("error"))
        .isEqualTo("query parameter name is given 2 times; give it once");
    assertThat(gw.get("/api/history/runs?min-score=50").bodyAsJsonObject().getString("error"))
        .isEqualTo("unknown field; known: [limit, min_score, name, since, status, tag, until]");
    assertThat(gw.get("/api/history/runs/run-nope").statusCode()).isEqualTo(404);
    assertThat(gw.get("/api/history/compare?ids=a,b").statusCode()).isEqualTo(404);
    Map<String, String> posts = Map.of("{\"b\": \"x\"}", "a", "{\"a\": {\"text\": \"name: [\"}, \"b\": \"x\"}", "a.text",
        "{\"a\": \"x\", \"b\": \"y\", \"samples\": 1}", "samples",
        // a variable map that is not one (a 500 before), a misspelt field, a variant given two ways, a scenario the node lacks
        "{\"a\": {\"name\": \"x\", \"variables\": \"str\"}, \"b\": \"y\"}", "a.variables",
        "{\"a\": \"x\", \"b\": \"y\", \"sampels\": 3}", "sampels",
        "{\"a\": {\"name\": \"x\", \"text\": \"name: t\\nsteps: [{name: s}]\"}, \"b\": \"y\"}", "a",
        "{\"a\": {\"text\": \"name: t\\nsteps: [{name: s, scenario: not_saved}]\"}, \"b\": \"y\"}", "a.steps[0].scenario",
        "{\"a\": {\"text\": \"name: t\\nvariables: {d: 5}\\nsteps: [{name: s, duration_seconds: \\\"${variables.d}\\\"}]\", "
            + "\"variables\": {\"d\": \"abc\"}}, \"b\": \"y\"}", "a.steps[0].duration_seconds");
    posts.forEach((body, field) -> assertThat(gw.postJson("/api/history/ab", body).bodyAsJsonObject().getString("field"))
        .as(body).isEqualTo(field));
    var bp = gw.postJson("/api/history/breaking-point", "{\"parameter\": \"latency.jitter\", \"from\": 0, \"to\": 1}");
    assertThat(bp.statusCode()).isEqualTo(400);
    assertThat(bp.bodyAsJsonObject().getString("field")).isEqualTo("parameter");
    assertThat(gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 10}""").bodyAsJsonObject().getString("field"))
        .isEqualTo("assertion");
    // backwards: a delay searched from 100 down tried 100 alone and called it the first failing value
    JsonObject backwards = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 100, "to": 0, "step": 50,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 60}}""").bodyAsJsonObject();
    assertThat(backwards).isEqualTo(new JsonObject().put("field", "to").put("error", "must be above from: the search raises"
        + " latency.fixed_delay_ms from the value that does least harm, got from 100.0 and to 0.0"));
    assertThat(gw.postJson("/api/history/breaking-point", """
        {"parameter": "traffic_shaping.bandwidth_limit_bps", "from": 1000, "to": 100000, "step": 1000,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 60}}""").bodyAsJsonObject().getString("error"))
        .startsWith("must be below from: the search lowers traffic_shaping.bandwidth_limit_bps");
    assertThat(gw.admin(HttpMethod.POST, "/api/history/ab").sendBuffer(Buffer.buffer("not json")).await().statusCode()).isEqualTo(400);
    var badBase = gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 10,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 50},
         "base": {"fault_injection": {"http_error_probability": 5}}}""");
    assertThat(badBase.statusCode()).as(badBase.bodyAsString()).isEqualTo(400);
    assertThat(badBase.bodyAsJsonObject().getString("field")).isEqualTo("base.fault_injection.http_error_probability");
    // a base with rules replaced the node's, and the search's end left the base's; one whose searched section is off
    // injected nothing and reported "held at every value"
    Map<String, String> bases = Map.of("{\"rules\": [{\"name\": \"x\", \"latency\": {\"fixed_delay_ms\": 5}}]}", "base.rules",
        "{\"scenario\": \"slow_backend\"}", "base.scenario",
        "{\"latency\": {\"enabled\": false}}", "base.latency.enabled");
    bases.forEach((base, field) -> assertThat(gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 100, "step": 10,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 50}, "base": %s}""".formatted(base))
        .bodyAsJsonObject().getString("field")).as(base).isEqualTo(field));
    String assertion = "\"assertion\": {\"metric\": \"error_rate\", \"operator\": \"less_than\", \"threshold\": 1}";
    Map<String, String> searches = Map.of(
        // finer than values can be told apart: it tried the same value for ever
        "{\"parameter\": \"fault_injection.http_error_probability\", \"from\": 0, \"to\": 1, \"method\": \"bisect\", "
            + "\"resolution\": 1e-12, " + assertion + "}", "resolution",
        "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0, \"to\": 100, \"method\": \"bisect\", \"resolution\": 0.5, " + assertion + "}",
        "resolution",
        "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0, \"to\": 100, \"step\": 10, \"stepseconds\": 1, " + assertion + "}", "stepseconds",
        // the other method's field, which would be ignored (a hunt's step -5 was stored and echoed)
        "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0, \"to\": 100, \"method\": \"bisect\", \"step\": -5, " + assertion + "}",
        "step",
        "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0, \"to\": 100, \"step\": 10, \"resolution\": -1, " + assertion + "}",
        "resolution",
        "{\"parameter\": \"latency.fixed_delay_ms\", \"from\": 0, \"to\": 100, \"step\": 10, "
            + "\"assertion\": {\"metric\": \"error_rate\", \"operator\": \"less_than\", \"threshold\": \"x\"}}", "assertion.threshold");
    searches.forEach((body, field) -> {
      var refused = gw.postJson("/api/history/breaking-point", body);
      assertThat(refused.statusCode()).as(body).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("field")).as(body).isEqualTo(field);
    });

    // a variant named after no library entry is refused when asked for, not found missing once the experiment runs
    var unknown = gw.postJson("/api/history/ab", "{\"a\": {\"text\": \"name: calm\\nsteps: [{name: s, duration_seconds: 1}]\"}, "
        + "\"b\": \"release-b\", \"samples\": 2}");
    assertThat(unknown.statusCode()).as(unknown.bodyAsString()).isEqualTo(400);
    assertThat(unknown.bodyAsJsonObject().getString("field")).isEqualTo("b");
    assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("library entry release-b: no library entry named release-b");
    assertThat(gw.get("/api/history/experiments").bodyAsJsonObject().getJsonArray("experiments")).as("nothing started").isEmpty();
  }
}
