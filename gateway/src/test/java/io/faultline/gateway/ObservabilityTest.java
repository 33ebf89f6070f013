package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/'s Prometheus config, alert rules and Grafana dashboards against a real Prometheus scraping a
 * real gateway that carries chaos traffic: promtool accepts them, and every panel's query and every
 * rule's query returns data. (Needs Debian's {@code prometheus} package, which .ci/run installs.)
 */
class ObservabilityTest {

  private static final Path DEPLOY = Path.of("..", "deploy");

  @TempDir
  Path dir;

  @Test
  void everyDashboardPanelAndAlertRuleReturnsDataFromARealPrometheus() throws Exception {
    assumeTrue(onPath("prometheus") && onPath("promtool"), "Debian's prometheus package is not installed (.ci/run installs it)");
    assertThat(run(List.of("promtool", "check", "rules", DEPLOY.resolve("prometheus/rules.yml").toString()))).contains("SUCCESS: 6 rules found");
    assertThat(run(List.of("promtool", "check", "config", DEPLOY.resolve("prometheus/prometheus.yml").toString()))).contains("SUCCESS");

    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.SEED, "9", Flag.VERTX_METRICS, "true"))) {
      // every fault family the dashboards show: errors, latency, a rate limit below the traffic's 100 req/s,
      // a breaker and a bulkhead
      assertThat(gw.put("/api/chaos/config", """
          {"enabled": true, "seed": 9, "latency": {"fixed_delay_ms": 5},
           "fault_injection": {"http_errors": [503], "http_error_probability": 0.5},
           "rate_limit": {"requests_per_second": 60, "burst_size": 5},
           "circuit_breaker": {"failure_threshold": 1000}, "bulkhead": {"max_concurrent_requests": 50}}
          """).statusCode()).isEqualTo(200);
      long traffic = gw.clientVertx.setPeriodic(10, id -> gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/o").send());
      var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(
          "name: obs\nsteps:\n  - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 0.3}\n")).await();
      assertThat(started.statusCode()).isEqualTo(202);

      Files.copy(DEPLOY.resolve("prometheus/rules.yml"), dir.resolve("rules.yml"));
      Files.writeString(dir.resolve("prometheus.yml"), """
          global: {scrape_interval: 1s, evaluation_interval: 1s}
          rule_files: [rules.yml]
          scrape_configs:
            - job_name: faultline
              static_configs: [{targets: ["127.0.0.1:%d"]}]
          """.formatted(gw.gateway.adminPort()));
      int port = Upstreams.portToListenOn();
      Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      try {
        await(() -> query(gw, port, "up{job=\"faultline\"} == 1").size() == 1, "Prometheus scrapes the gateway");
        Thread.sleep(8_000); // enough samples for rate() over [1m] and for the subqueries
        List<String> empty = new ArrayList<>();
        for (String expr : dashboardQueries()) {
          if (query(gw, port, expr).isEmpty()) {
            empty.add(expr);
          }
        }
        for (String expr : ruleQueries()) {
          if (query(gw, port, expr).isEmpty()) {
            empty.add("rule " + expr);
          }
        }
        assertThat(empty).as("queries that return no data").isEmpty();
      } finally {
        prometheus.destroy();
        prometheus.waitFor(10, TimeUnit.SECONDS);
        gw.clientVertx.cancelTimer(traffic);
      }
    }
  }

  /** Every panel target of every dashboard. */
  private static List<String> dashboardQueries() throws Exception {
    List<String> exprs = new ArrayList<>();
    try (var files = Files.list(DEPLOY.resolve("grafana/dashboards"))) {
      for (Path file : files.sorted().toList()) {
        JsonObject dashboard = new JsonObject(Files.readString(file));
        assertThat(dashboard.getJsonArray("panels")).as(file.toString()).isNotEmpty();
        dashboard.getJsonArray("panels").forEach(p -> ((JsonObject) p).getJsonArray("targets")
            .forEach(t -> exprs.add(((JsonObject) t).getString("expr"))));
      }
    }
    assertThat(exprs).hasSizeGreaterThan(20);
    return exprs;
  }

  /**
   * Each alert rule's measured side (the expression before its threshold), which must return data while
   * the rule itself stays quiet; the whole expression must still be valid (query() fails on errors).
   */
  @SuppressWarnings("unchecked")
  private static List<String> ruleQueries() throws Exception {
    Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(DEPLOY.resolve("prometheus/rules.yml")));
    List<String> exprs = new ArrayList<>();
    for (Object group : (List<Object>) rules.get("groups")) {
      for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
        String expr = String.valueOf(((Map<String, Object>) rule).get("expr"));
        Matcher threshold = Pattern.compile("^(.*) (>|<|==|>=|<=) [0-9.]+$").matcher(expr);
        exprs.add(threshold.matches() ? threshold.group(1) : expr);
      }
    }
    return exprs;
  }

  private static JsonArray query(GatewayFixture gw, int port, String expr) {
    JsonObject body = gw.client.get(port, "127.0.0.1", "/api/v1/query").addQueryParam("query", expr).send().await().bodyAsJsonObject();
    assertThat(body.getString("status")).as(expr + " → " + body.encode()).isEqualTo("success");
    return body.getJsonObject("data").getJsonArray("result");
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (Throwable e) {
        // Prometheus not up yet: connection refused, or not ready to answer
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(200);
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
