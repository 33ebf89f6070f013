package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.faultline.gateway.metrics.ControlPlaneMeters;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics counts what the client saw: requests by outcome, injected faults by type, injected latency. */
class MetricsTest {

  /** The value of one series; a series that is not there fails the test (so a zero means a real zero). */
  static double value(String metrics, String series) {
    double value = valueOrNaN(metrics, series);
    if (Double.isNaN(value)) {
      throw new AssertionError("no series " + series + " on /metrics");
    }
    return value;
  }

  /** The value of one series, or NaN while it is not there yet (for conditions waited on: NaN compares false). */
  static double valueOrNaN(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /**
   * /metrics once {@code series} has reached {@code expected}. A request is counted once its response
   * is written, and a client can read that response (and scrape) a moment before the count is made.
   */
  static String scrapeWhen(Supplier<String> scrape, String series, double expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000; // events reach the meters asynchronously; a busy machine is slow
    String metrics = scrape.get();
    while (!hasValue(metrics, series, expected) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      metrics = scrape.get();
    }
    assertThat(value(metrics, series)).as(series).isEqualTo(expected);
    return metrics;
  }

  private static boolean hasValue(String metrics, String series, double expected) {
    return valueOrNaN(metrics, series) == expected;
  }

  @Test
  void metricsMatchWhatClientsSaw() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.SEED, "3", Flag.CHAOS_HTTP_ERRORS, "503",
        Flag.CHAOS_HTTP_ERROR_PROBABILITY, "0.5", Flag.CHAOS_LATENCY_MS, "20", Flag.VERTX_METRICS, "true"))) {
      int errors = 0;
      for (int i = 0; i < 20; i++) {
        if (gw.traffic("/x").statusCode() == 503) {
          errors++;
        }
      }
      String labels = "listener=\"web\",outcome=\"%s\",protocol=\"http\",route=\"default\"";
      scrapeWhen(() -> gw.get("/metrics").bodyAsString(), "faultline_requests_total{" + labels.formatted("5xx") + "}", errors);
      String metrics = scrapeWhen(() -> gw.get("/metrics").bodyAsString(), "faultline_requests_total{" + labels.formatted("2xx") + "}", 20 - errors);
      assertThat(value(metrics, "faultline_requests_total{" + labels.formatted("5xx") + "}")).isEqualTo(errors);
      assertThat(value(metrics, "faultline_requests_total{" + labels.formatted("2xx") + "}")).isEqualTo(20 - errors);
      assertThat(value(metrics, "faultline_faults_injected_total{listener=\"web\",protocol=\"http\",route=\"default\",type=\"http_error\"}"))
          .isEqualTo(errors);
      assertThat(value(metrics, "faultline_injected_latency_seconds_count{listener=\"web\",protocol=\"http\",route=\"default\"}"))
          .isEqualTo(20);
      assertThat(value(metrics, "faultline_chaos_enabled")).isEqualTo(1);
      assertThat(metrics).contains("faultline_request_duration_seconds_bucket{");
      assertThat(errors).as("seed 3 at p=0.5 gives both outcomes").isBetween(1, 19);
      // Vert.x's own metrics: the listener's server side saw the 20 requests (the admin API's own count too).
      assertThat(value(metrics, "vertx_http_server_requests_total{code=\"200\",method=\"GET\"}")).isGreaterThanOrEqualTo(20 - errors);
      assertThat(metrics).contains("vertx_http_client_requests_total").contains("vertx_eventbus_sent_total");
    }
  }

  /**
   * A removed listener's series go with it: they stayed for the life of the node, so a CI that adds a listener
   * per test grew /metrics (some 80 series a listener, 160 with faults) without end.
   */
  @Test
  void aRemovedListenersSeriesGoWithIt() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.traffic("/x");
      var added = gw.postJson("/api/listeners", "{\"name\": \"extra\", \"protocol\": \"http\", \"port\": 0,"
          + " \"upstream\": \"http://127.0.0.1:1\"}");
      assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
      int port = added.bodyAsJsonObject().getInteger("port");
      for (int i = 0; i < 3; i++) {
        assertThat(gw.client.get(port, "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(502);
      }
      String series = "faultline_requests_total{listener=\"extra\",outcome=\"5xx\",protocol=\"http\",route=\"default\"}";
      scrapeWhen(() -> gw.get("/metrics").bodyAsString(), series, 3);
      assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/listeners/extra").send().await().statusCode()).isEqualTo(200);
      String after = gw.get("/metrics").bodyAsString();
      assertThat(after.lines().filter(l -> l.contains("listener=\"extra\""))).as("series of the removed listener").isEmpty();
      assertThat(after).as("the other listener's stay").contains("listener=\"web\"");
    }
  }

  /** Reference 001's {@code --metrics --metrics-port 9090}, on a free port. */
  @Test
  void aPrometheusListenerOfItsOwnServesTheSameMetricsBehindTheAdminToken() {
    int port = io.faultline.chaos.testing.Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.METRICS, "true", Flag.METRICS_PORT, Integer.toString(port),
        Flag.ADMIN_TOKEN, "tok"))) {
      gw.token = "tok";
      gw.traffic("/x");
      var web = gw.client;
      assertThat(web.get(port, "127.0.0.1", "/metrics").send().await().statusCode()).isEqualTo(401);
      var scraped = web.get(port, "127.0.0.1", "/metrics").bearerTokenAuthentication("tok").send().await();
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
      assertThat(scraped.bodyAsString()).contains("faultline_requests_total{");
      assertThat(web.get(port, "127.0.0.1", "/api/chaos/status").bearerTokenAuthentication("tok").send().await().statusCode())
          .as("only /metrics").isEqualTo(404);
      // on loopback, as the admin port: a page whose name was rebound to 127.0.0.1 is refused, localhost taken
      var rebound = web.get(port, "127.0.0.1", "/metrics").putHeader("Host", "evil.example:" + port).bearerTokenAuthentication("tok").send().await();
      assertThat(rebound.statusCode()).isEqualTo(403);
      assertThat(rebound.bodyAsString()).startsWith("request for host evil.example:" + port + " refused");
      assertThat(web.get(port, "127.0.0.1", "/metrics").putHeader("Host", "localhost:" + port).bearerTokenAuthentication("tok").send().await()
          .statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientThatLeavesBeforeTheAnswerIsCountedAsDroppedNotAsAServerError() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      for (String chaos : new String[] {"{\"enabled\": false}", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}"}) {
        gw.put("/api/chaos/config", chaos);
        var socket = new java.net.Socket("127.0.0.1", gw.gateway.listenerPort("web"));
        socket.getOutputStream().write("GET /slow/1500 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        Thread.sleep(300); // the request is with the upstream
        socket.setSoLinger(true, 0);
        socket.close(); // the client gives up
      }
      String metrics = scrapeWhen(() -> gw.get("/metrics").bodyAsString(),
          "faultline_requests_total{listener=\"web\",outcome=\"dropped\",protocol=\"http\",route=\"default\"}", 2);
      Thread.sleep(1_500); // the upstream answers the abandoned requests meanwhile: still nothing may count as 5xx
      assertThat(value(gw.get("/metrics").bodyAsString(),
          "faultline_requests_total{listener=\"web\",outcome=\"5xx\",protocol=\"http\",route=\"default\"}")).isZero();
    }
  }

  @Test
  void vertxMetricsAreOffUnlessAskedFor() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.traffic("/x");
      assertThat(gw.get("/metrics").bodyAsString()).doesNotContain("vertx_http_server").contains("faultline_requests_total");
    }
  }

  @Test
  void requestMetricsCanBeSwitchedOffLeavingTheControlPlaneOnes() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.REQUEST_METRICS, "false", Flag.CHAOS_LATENCY_MS, "1"))) {
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
      assertThat(gw.get("/metrics").bodyAsString()).doesNotContain("faultline_requests_total")
          .doesNotContain("faultline_injected_latency_seconds").contains("faultline_chaos_enabled 1.0")
          .contains("faultline_orchestration_runs_total");
    }
  }

  @Test
  void controlPlaneMetricsFollowScenariosOrchestrationsAndTheCluster() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.post("/api/chaos/scenarios/slow_backend");
      Thread.sleep(200);
      String withScenario = gw.get("/metrics").bodyAsString();
      assertThat(value(withScenario, "faultline_scenario_active{scenario=\"slow_backend\"}")).isEqualTo(1);
      gw.post("/api/chaos/scenarios/stop");
      var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer("name: m\nhooks:\n  - {name: done, hook_type: post_orchestration,"
              + " actions: [{type: log, message: done}]}\n  - {name: notify, hook_type: post_orchestration,"
              + " actions: [{type: http_request, url: 'http://not-allowed.example/'}]}\nsteps:\n  - name: errors\n    scenario: {config: {fault_injection:"
              + " {http_errors: [500], http_error_probability: 1}}}\n    duration_seconds: 1\n"
              + "    assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]\n"
              + "  - {name: calm, duration_seconds: 0.2, assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]}\n")).await();
      assertThat(started.statusCode()).isEqualTo(202);
      // the gauges follow the run's progress events, which arrive on the event bus a moment after the start;
      // the traffic waits for the step to be on (sent before it, part of it would go through untouched)
      String during = scrapeWhen(() -> gw.get("/metrics").bodyAsString(),
          "faultline_orchestration_current_step{orchestration=\"m\",step=\"errors\"}", 1);
      assertThat(value(during, "faultline_orchestration_active")).isEqualTo(1);
      // Issue 14.18: the run by name, and the step it is at.
      assertThat(value(during, "faultline_active_orchestrations{orchestration=\"m\"}")).isEqualTo(1);
      // the step is announced before its scenario applies: the traffic waits for the first fault (a few untouched at most)
      long live = System.currentTimeMillis() + 5_000;
      while (gw.traffic("/x").statusCode() != 500) {
        assertThat(System.currentTimeMillis()).as("the step's faults apply").isLessThan(live);
        Thread.sleep(10);
      }
      for (int i = 0; i < 10; i++) {
        gw.traffic("/x");
      }
      assertThat(value(gw.get("/metrics").bodyAsString(), "faultline_chaos_impact_score")).isGreaterThan(0.5);
      long deadline = System.currentTimeMillis() + 10_000;
      while (gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(50);
      }
      // the cluster view is polled every 2 s: wait for it rather than for a fixed time
      String after = scrapeWhen(() -> gw.get("/metrics").bodyAsString(), "faultline_cluster_leader_info{node=\"local\"}", 1);
      assertThat(value(after, "faultline_orchestration_runs_total{mode=\"sequential\",status=\"failed\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_runs_total{mode=\"parallel\",status=\"failed\"}")).isZero();
      assertThat(value(after, "faultline_orchestration_duration_seconds_count{mode=\"sequential\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_duration_seconds_sum{mode=\"sequential\"}")).isGreaterThan(1.1);
      assertThat(value(after, "faultline_orchestration_steps_total{status=\"succeeded\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_steps_total{status=\"failed\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_failed_steps_total{orchestration=\"m\",step=\"calm\"}")).isEqualTo(1);
      assertThat(after).doesNotContain("faultline_orchestration_failed_steps_total{orchestration=\"m\",step=\"errors\"}");
      assertThat(value(after, "faultline_orchestration_assertions_total{result=\"passed\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_assertions_total{result=\"failed\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_step_duration_seconds_count{mode=\"sequential\"}")).isEqualTo(2);
      assertThat(value(after, "faultline_orchestration_active")).isZero();
      assertThat(value(after, "faultline_cluster_nodes{status=\"active\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_cluster_leader_term")).isEqualTo(1);
      assertThat(value(after, "faultline_cluster_leader_info{node=\"" + gw.get("/api/cluster/leader").bodyAsJsonObject().getString("node") + "\"}"))
          .isEqualTo(1);
      assertThat(value(after, "faultline_cluster_tasks{mode=\"peer_to_peer\",status=\"running\"}")).isZero();
      assertThat(value(after, "faultline_orchestration_hooks_total{result=\"succeeded\",type=\"post_orchestration\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_hooks_total{result=\"failed\",type=\"post_orchestration\"}"))
          .as("an http_request hook to a host off the allow list").isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_hooks_total{result=\"succeeded\",type=\"pre_step\"}")).isZero();
      assertThat(after).contains("faultline_cluster_heartbeats_total{result=\"ok\"}")
          .contains("faultline_cluster_task_items{state=\"pending\"} 0.0");
      // Issue 14.18: every known scenario has a series from the start, 0 when it is not the active one.
      assertThat(value(after, "faultline_scenario_active{scenario=\"slow_backend\"}")).isZero();
      assertThat(value(after, "faultline_scenario_active{scenario=\"cascading_failure\"}")).isZero();
      assertThat(after).doesNotContain("faultline_active_orchestrations{").doesNotContain("faultline_orchestration_current_step{");
      assertThat(value(after, "faultline_orchestration_step_seconds_count{orchestration=\"m\",step=\"errors\"}")).isEqualTo(1);
      assertThat(value(after, "faultline_orchestration_step_seconds_sum{orchestration=\"m\",step=\"errors\"}")).isGreaterThan(0.9);
      assertThat(value(after, "faultline_rate_limit_violations_total{listener=\"web\",protocol=\"http\",route=\"default\"}")).isZero();
    }
  }

  @Test
  void failedStepsAreCountedByNameUpToACapThenTogether() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      int cap = ControlPlaneMeters.MAX_FAILED_STEP_SERIES;
      for (int i = 0; i <= cap + 1; i++) {
        // a step's end as the orchestrator publishes it; the last one repeats a step counted under its name
        String step = "s" + (i == cap + 1 ? 0 : i);
        gw.gateway.vertx().eventBus().publish(OrchestratorVerticle.STEP_ENDED, new JsonObject().put("orchestration", "o")
            .put("mode", "parallel").put("step", new JsonObject().put("name", step).put("status", "failed").put("duration_ms", 5)));
      }
      long deadline = System.currentTimeMillis() + 10_000;
      String metrics;
      while (!(metrics = gw.get("/metrics").bodyAsString()).contains("faultline_orchestration_steps_total{status=\"failed\"} " + (cap + 2))) {
        assertThat(System.currentTimeMillis()).as("every step counted").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(value(metrics, "faultline_orchestration_failed_steps_total{orchestration=\"o\",step=\"s0\"}")).isEqualTo(2);
      assertThat(value(metrics, "faultline_orchestration_failed_steps_total{orchestration=\"o\",step=\"s" + (cap - 1) + "\"}")).isEqualTo(1);
      assertThat(metrics).doesNotContain("step=\"s" + cap + "\"");
      assertThat(value(metrics, "faultline_orchestration_failed_steps_total{orchestration=\"_other\",step=\"_other\"}")).isEqualTo(1);
      assertThat(metrics.lines().filter(l -> l.startsWith("faultline_orchestration_failed_steps_total{"))).hasSize(cap + 1);
    }
  }

  /**
   * Every step of a run is counted, where its report keeps the newest 1,000: counted from the report, a loop of 1,200
   * steps counted 1,000.
   */
  @Test
  void everyStepOfALongRunIsCounted() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer("""
              name: long
              loop_orchestration: true
              max_iterations: 600
              steps:
                - {name: a, scenario: {config: {latency: {fixed_delay_ms: 1}}}, duration_seconds: 0}
                - {name: b, scenario: {config: {latency: {fixed_delay_ms: 2}}}, duration_seconds: 0}
              """)).await();
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
      long deadline = System.currentTimeMillis() + 60_000;
      while (gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")) {
        assertThat(System.currentTimeMillis()).as("the run ends").isLessThan(deadline);
        Thread.sleep(100);
      }
      String metrics = scrapeWhen(() -> gw.get("/metrics").bodyAsString(),
          "faultline_orchestration_runs_total{mode=\"sequential\",status=\"succeeded\"}", 1);
      assertThat(value(metrics, "faultline_orchestration_steps_total{status=\"succeeded\"}")).isEqualTo(1_200);
      assertThat(value(metrics, "faultline_orchestration_step_seconds_count{orchestration=\"long\",step=\"a\"}")).isEqualTo(600);
      assertThat(value(metrics, "faultline_orchestration_step_duration_seconds_count{mode=\"sequential\"}")).isEqualTo(1_200);
      assertThat(value(metrics, "faultline_orchestration_iterations_total")).isEqualTo(600);
    }
  }

  @Test
  void breakerStateBulkheadConcurrencyAndRateLimitViolationsAreVisible() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      assertThat(gw.put("/api/chaos/config", """
          {"enabled": true, "latency": {"fixed_delay_ms": 600},
           "circuit_breaker": {"failure_threshold": 2, "reset_timeout_ms": 60000},
           "bulkhead": {"max_concurrent_requests": 2, "max_queue_size": 5},
           "rules": [{"name": "slow-api", "match": {"path": "/api/*"}, "bulkhead": {"max_concurrent_requests": 1}}]}
          """).statusCode()).isEqualTo(200);
      for (int i = 0; i < 3; i++) {
        gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/held").send();
      }
      Thread.sleep(300);
      String held = gw.get("/metrics").bodyAsString();
      assertThat(value(held, "faultline_bulkhead_active_requests{rule=\"\",scope=\"global\"}")).isEqualTo(2);
      assertThat(value(held, "faultline_bulkhead_queued_requests{rule=\"\",scope=\"global\"}")).isEqualTo(1);
      assertThat(value(held, "faultline_bulkhead_capacity_requests{rule=\"\",scope=\"global\"}")).isEqualTo(2);
      assertThat(value(held, "faultline_bulkhead_capacity_requests{rule=\"slow-api\",scope=\"rule\"}")).isEqualTo(1);
      assertThat(value(held, "faultline_circuit_breaker_state{rule=\"\",scope=\"global\",state=\"closed\"}")).isEqualTo(1);
      Thread.sleep(1_200); // the three held requests finish

      assertThat(gw.traffic("/status/500").statusCode()).isEqualTo(500);
      assertThat(gw.traffic("/status/500").statusCode()).isEqualTo(500);
      assertThat(gw.traffic("/x").statusCode()).as("the breaker opened").isEqualTo(503);
      String open = gw.get("/metrics").bodyAsString();
      assertThat(value(open, "faultline_circuit_breaker_state{rule=\"\",scope=\"global\",state=\"open\"}")).isEqualTo(1);
      assertThat(value(open, "faultline_circuit_breaker_state{rule=\"\",scope=\"global\",state=\"closed\"}")).isZero();
      assertThat(value(open, "faultline_bulkhead_active_requests{rule=\"\",scope=\"global\"}")).isZero();

      assertThat(gw.put("/api/chaos/config", """
          {"enabled": true, "rate_limit": {"requests_per_second": 1, "burst_size": 1}}""").statusCode()).isEqualTo(200);
      int refused = 0;
      for (int i = 0; i < 4; i++) {
        refused += gw.traffic("/x").statusCode() == 429 ? 1 : 0;
      }
      String limited = gw.get("/metrics").bodyAsString();
      assertThat(refused).isBetween(2, 3);
      assertThat(value(limited, "faultline_rate_limit_violations_total{listener=\"web\",protocol=\"http\",route=\"default\"}"))
          .isEqualTo(refused);
      assertThat(limited).as("the global breaker and bulkhead are gone").doesNotContain("faultline_circuit_breaker_state{")
          .doesNotContain("faultline_bulkhead_active_requests{rule=\"\",scope=\"global\"}")
          .as("the rule kept its own").contains("faultline_bulkhead_active_requests{rule=\"slow-api\",scope=\"rule\"} 0.0");
    }
  }
}
