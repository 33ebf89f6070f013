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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/'s Prometheus config, alert rules and Grafana dashboards against a real Prometheus scraping a
 * real two-node cluster that carries chaos traffic, an orchestration and a distributed task: promtool
 * accepts them, every dashboard is well formed for Grafana, and every panel's query and every rule's
 * query returns data, with the values that traffic must give. (Needs Debian's {@code prometheus}
 * package, which .ci/run installs.)
 */
class ObservabilityTest {

  private static final Path DEPLOY = Path.of("..", "deploy");
  /** Grafana's own variables, as Grafana would fill them in for a 5-minute view. */
  private static final Map<String, String> GRAFANA_VARIABLES = Map.of("$__rate_interval", "1m", "$__range", "5m", "$__interval", "15s");
  private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat", "gauge", "piechart", "table", "heatmap", "bargauge");

  @TempDir
  Path dir;

  private final ClusterFixture cluster = new ClusterFixture();

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void dashboardsAreWellFormedForGrafana() throws Exception {
    Map<String, Object> datasources = yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"));
    String uid = String.valueOf(((Map<?, ?>) ((List<?>) datasources.get("datasources")).get(0)).get("uid"));
    Set<String> uids = new HashSet<>();
    for (Path file : dashboardFiles()) {
      JsonObject dashboard = new JsonObject(Files.readString(file));
      String where = file.getFileName().toString();
      assertThat(uids.add(dashboard.getString("uid"))).as(where + ": a uid of its own").isTrue();
      assertThat(dashboard.getString("title")).as(where).startsWith("Faultline");
      Set<Integer> ids = new HashSet<>();
      List<JsonObject> panels = dashboard.getJsonArray("panels").stream().map(JsonObject.class::cast).toList();
      for (JsonObject panel : panels) {
        String title = where + " / " + panel.getString("title");
        assertThat(ids.add(panel.getInteger("id"))).as(title + ": a panel id of its own").isTrue();
        assertThat(PANEL_TYPES).as(title + ": a panel type Grafana ships").contains(panel.getString("type"));
        assertThat(panel.getJsonObject("datasource").getString("uid")).as(title + ": the provisioned data source").isEqualTo(uid);
        JsonObject grid = panel.getJsonObject("gridPos");
        assertThat(grid.getInteger("x") + grid.getInteger("w")).as(title + ": within the 24 columns").isLessThanOrEqualTo(24);
        for (JsonObject other : panels) {
          if (other != panel) {
            assertThat(overlap(grid, other.getJsonObject("gridPos"))).as(title + " overlaps " + other.getString("title")).isFalse();
          }
        }
        Set<String> refIds = new HashSet<>();
        for (Object t : panel.getJsonArray("targets")) {
          JsonObject target = (JsonObject) t;
          assertThat(refIds.add(target.getString("refId"))).as(title + ": a refId per query").isTrue();
          Matcher variable = Pattern.compile("\\$\\w+").matcher(target.getString("expr"));
          while (variable.find()) {
            assertThat(GRAFANA_VARIABLES).as(title + ": only Grafana's own variables").containsKey(variable.group());
          }
        }
      }
    }
    assertThat(uids).hasSize(5);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theComposeStackMountsDeploysOwnFiles() throws Exception {
    Map<String, Object> services = (Map<String, Object>) yaml(DEPLOY.resolve("docker-compose.yml")).get("services");
    assertThat(services).containsOnlyKeys("faultline", "prometheus", "grafana");
    List<String> mounts = new ArrayList<>();
    services.values().forEach(service -> mounts.addAll((List<String>) ((Map<String, Object>) service).getOrDefault("volumes", List.of())));
    assertThat(mounts).hasSize(4);
    for (String mount : mounts) {
      String source = mount.split(":")[0];
      if (source.startsWith(".")) {
        assertThat(DEPLOY.resolve(source)).as(mount).isDirectory();
      } else { // a named volume: the gateway's state, kept across rebuilds where the image keeps it
        assertThat(mount).isEqualTo(source + ":/var/lib/faultline");
        assertThat((Map<String, Object>) yaml(DEPLOY.resolve("docker-compose.yml")).get("volumes")).containsKey(source);
      }
    }
    // on the host's network beside the gateway: not a port of the gateway's defaults (http 3000, grpc 3001, admin 9000)
    assertThat(String.valueOf(((Map<String, Object>) services.get("grafana")).get("environment"))).contains("GF_SERVER_HTTP_PORT=3100");
    // Grafana's dashboard provider reads where compose mounts the dashboards
    Map<String, Object> provider = ((List<Map<String, Object>>) yaml(DEPLOY.resolve("grafana/provisioning/dashboards/faultline.yml")).get("providers")).get(0);
    assertThat(mounts).contains("./grafana/dashboards:" + ((Map<String, Object>) provider.get("options")).get("path") + ":ro");
  }

  @Test
  void everyDashboardPanelAndAlertRuleReturnsDataFromARealPrometheus() throws Exception {
    assumeTrue(onPath("prometheus") && onPath("promtool"), "Debian's prometheus package is not installed (.ci/run installs it)");
    assertThat(run(List.of("promtool", "check", "rules", DEPLOY.resolve("prometheus/rules.yml").toString()))).contains("SUCCESS: 7 rules found");
    assertThat(run(List.of("promtool", "check", "config", DEPLOY.resolve("prometheus/prometheus.yml").toString()))).contains("SUCCESS");
    // each alert fires on the series that should raise it, and not before its `for:` has passed
    assertThat(run(List.of("promtool", "test", "rules", DEPLOY.resolve("prometheus/rules_test.yml").toString()))).contains("SUCCESS");

    Map<Flag, String> flags = Map.of(Flag.VERTX_METRICS, "true");
    Gateway n1 = cluster.start(0, flags);
    Gateway n2 = cluster.start(1, flags);
    ClusterFixture.eventually(() -> cluster.get(n2, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes registered");
    // every fault family the dashboards show, on both nodes: errors, latency, a rate limit below the
    // traffic's 50 req/s per node, a breaker and a bulkhead
    assertThat(cluster.put(n1, "/api/chaos/config", """
        {"enabled": true, "seed": 9, "latency": {"fixed_delay_ms": 5},
         "fault_injection": {"http_errors": [503], "http_error_probability": 0.5},
         "rate_limit": {"requests_per_second": 30, "burst_size": 5},
         "circuit_breaker": {"failure_threshold": 1000}, "bulkhead": {"max_concurrent_requests": 50}}
        """).statusCode()).isEqualTo(200);
    long version = cluster.get(n1, "/api/chaos/status").getLong("version");
    ClusterFixture.eventually(() -> cluster.get(n2, "/api/chaos/status").getLong("version") >= version, "n2 has the chaos config");
    long[] sent = {0};
    long traffic = cluster.client.setPeriodic(10, id -> cluster.web.get((sent[0]++ % 2 == 0 ? n1 : n2).listenerPort("web"), "127.0.0.1", "/o").send());
    // an orchestration with a step that fails its assertion, and a distributed task
    var started = cluster.web.post(n1.adminPort(), "127.0.0.1", "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer("""
        name: obs
        steps:
          - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 0.3}
          - {name: check, duration_seconds: 0.2, assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]}
        """)).await();
    assertThat(started.statusCode()).isEqualTo(202);
    assertThat(cluster.post(n2, "/api/cluster/tasks", "{\"id\": \"obs\", \"mode\": \"parallel\", \"duration_seconds\": 0.5,"
        + " \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}").getString("status")).isEqualTo("running");

    Files.copy(DEPLOY.resolve("prometheus/rules.yml"), dir.resolve("rules.yml"));
    Files.writeString(dir.resolve("prometheus.yml"), """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: faultline
            static_configs: [{targets: ["127.0.0.1:%d", "127.0.0.1:%d"]}]
        """.formatted(n1.adminPort(), n2.adminPort()));
    int port = Upstreams.portToListenOn();
    Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      await(() -> query(port, "up{job=\"faultline\"} == 1").size() == 2, "Prometheus scrapes both nodes");
      await(() -> value(port, "max(faultline_cluster_tasks{mode=\"parallel\",status=\"succeeded\"})") == 1,
          () -> "the task succeeds: " + cluster.get(n1, "/api/cluster/tasks/obs").encode());
      await(() -> value(port, "sum(faultline_orchestration_runs_total{status=\"failed\"})") == 1,
          () -> "the orchestration fails its check: " + cluster.get(n1, "/api/chaos/orchestration/status").encode());
      Thread.sleep(6_000); // enough samples for rate() and for the subqueries
      List<String> empty = new ArrayList<>();
      for (String expr : dashboardQueries()) {
        if (query(port, expr).isEmpty()) {
          empty.add(expr);
        }
      }
      for (String expr : ruleQueries()) {
        if (query(port, expr).isEmpty()) {
          empty.add("rule " + expr);
        }
      }
      assertThat(empty).as("queries that return no data").isEmpty();

      // what the traffic, the run and the task must show, not just any data
      assertThat(value(port, "max(faultline_cluster_nodes{status=\"active\"})")).isEqualTo(2);
      assertThat(query(port, "max by (node) (faultline_cluster_leader_info)").getJsonObject(0).getJsonObject("metric").getString("node")).isEqualTo("n1");
      assertThat(value(port, "count(sum by (instance) (rate(faultline_cluster_heartbeats_total{result=\"ok\"}[1m])) > 0)")).isEqualTo(2);
      assertThat(value(port, "count(sum by (instance) (rate(faultline_requests_total[1m])) > 0)")).as("both nodes carry traffic").isEqualTo(2);
      assertThat(value(port, "sum(faultline_faults_injected_total{type=\"http_error\"})")).isPositive();
      assertThat(value(port, "sum(faultline_rate_limit_violations_total)")).isPositive();
      assertThat(value(port, "sum(faultline_orchestration_failed_steps_total{orchestration=\"obs\",step=\"check\"})")).isEqualTo(1);
      assertThat(value(port, "sum(faultline_orchestration_duration_seconds_count{mode=\"sequential\"})")).isEqualTo(1);
      assertThat(value(port, "sum(rate(vertx_http_server_requests_total[1m]))")).isPositive();

      // the active-scenarios stat counts the scenarios active (it counted every scenario each node knows: 10)
      String activeScenarios = panelQuery("Active scenarios");
      assertThat(value(port, activeScenarios)).as("none active").isZero();
      assertThat(cluster.post(n1, "/api/chaos/scenarios/slow_backend", "").getString("scenario")).isEqualTo("slow_backend");
      await(() -> value(port, activeScenarios) == 1, "one scenario shown active, on both nodes");
    } finally {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
      cluster.client.cancelTimer(traffic);
    }
  }

  private static boolean overlap(JsonObject a, JsonObject b) {
    return a.getInteger("x") < b.getInteger("x") + b.getInteger("w") && b.getInteger("x") < a.getInteger("x") + a.getInteger("w")
        && a.getInteger("y") < b.getInteger("y") + b.getInteger("h") && b.getInteger("y") < a.getInteger("y") + a.getInteger("h");
  }

  private static List<Path> dashboardFiles() throws Exception {
    try (var files = Files.list(DEPLOY.resolve("grafana/dashboards"))) {
      return files.sorted().toList();
    }
  }

  /** The query of the dashboard panel titled {@code title}. */
  private static String panelQuery(String title) throws Exception {
    for (Path file : dashboardFiles()) {
      for (Object p : new JsonObject(Files.readString(file)).getJsonArray("panels")) {
        if (title.equals(((JsonObject) p).getString("title"))) {
          return ((JsonObject) p).getJsonArray("targets").getJsonObject(0).getString("expr");
        }
      }
    }
    throw new AssertionError("no panel titled " + title);
  }

  /** Every panel target of every dashboard, with Grafana's variables filled in. */
  private static List<String> dashboardQueries() throws Exception {
    List<String> exprs = new ArrayList<>();
    for (Path file : dashboardFiles()) {
      JsonObject dashboard = new JsonObject(Files.readString(file));
      assertThat(dashboard.getJsonArray("panels")).as(file.toString()).isNotEmpty();
      dashboard.getJsonArray("panels").forEach(p -> ((JsonObject) p).getJsonArray("targets").forEach(t -> {
        String expr = ((JsonObject) t).getString("expr");
        for (Map.Entry<String, String> variable : GRAFANA_VARIABLES.entrySet()) {
          expr = expr.replace(variable.getKey(), variable.getValue());
        }
        exprs.add(expr);
      }));
    }
    assertThat(exprs).hasSizeGreaterThan(50);
    return exprs;
  }

  /**
   * Each alert rule's measured side (the expression before its threshold), which must return data while
   * the rule itself stays quiet; the whole expression must still be valid (query() fails on errors).
   */
  @SuppressWarnings("unchecked")
  private static List<String> ruleQueries() throws Exception {
    Map<String, Object> rules = yaml(DEPLOY.resolve("prometheus/rules.yml"));
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

  private static Map<String, Object> yaml(Path file) throws Exception {
    return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
  }

  private JsonArray query(int port, String expr) {
    JsonObject body = cluster.web.get(port, "127.0.0.1", "/api/v1/query").addQueryParam("query", expr).send().await().bodyAsJsonObject();
    assertThat(body.getString("status")).as(expr + " → " + body.encode()).isEqualTo("success");
    return body.getJsonObject("data").getJsonArray("result");
  }

  /** The value of a query that returns one series. */
  private double value(int port, String expr) {
    JsonArray result = query(port, expr);
    assertThat(result).as(expr).hasSize(1);
    return Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    await(condition, () -> what);
  }

  private static void await(java.util.function.BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
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
        throw new AssertionError("not within 30 s: " + what.get());
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
