package io.faultline.gateway.metrics;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.event.TrafficRecorder;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.OrchestratorVerticle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's control-plane metrics: the active scenario, orchestration runs (active, progress, runs,
 * steps, step durations, iterations, assertions, hooks), the cluster as this node sees it (nodes by
 * status, leader term, its heartbeats, tasks by status and their per-node items by state) and a chaos
 * impact score. Fed from the event bus (progress, hooks, heartbeats and finished runs as they happen,
 * cluster state every few seconds), never from the request path.
 */
public final class ControlPlaneMeters {

  static final long CLUSTER_POLL_MS = 2_000;
  private static final List<String> HOOK_TYPES = List.of("pre_orchestration", "pre_step", "post_step", "post_orchestration");
  private static final Map<String, Integer> ITEM_STATES = Map.of("pending", 0, "assigned", 0, "running", 0, "succeeded", 0, "failed", 0, "skipped", 0);

  private final MeterRegistry registry;
  private final ChaosState state;
  private final AtomicReference<JsonObject> progress = new AtomicReference<>(new JsonObject());
  private final MultiGauge scenario;
  private final MultiGauge nodes;
  private final MultiGauge tasks;
  private final MultiGauge taskItems;
  private volatile double term;

  public ControlPlaneMeters(MeterRegistry registry, ChaosState state, TrafficRecorder recorder) {
    this.registry = registry;
    scenario = MultiGauge.builder("faultline.scenario.active").description("1 for the scenario that is active").register(registry);
    nodes = MultiGauge.builder("faultline.cluster.nodes").description("cluster nodes this node knows, by status").register(registry);
    tasks = MultiGauge.builder("faultline.cluster.tasks").description("distributed tasks, by status").register(registry);
    taskItems = MultiGauge.builder("faultline.cluster.task.items")
        .description("per-node parts of the running distributed tasks, by state (their progress)").register(registry);
    Gauge.builder("faultline.cluster.leader.term", this, m -> m.term).description("the leader's term").register(registry);
    Gauge.builder("faultline.orchestration.active", progress, p -> p.get().getBoolean("is_running", false) ? 1 : 0)
        .description("1 while an orchestration runs on this node").register(registry);
    Gauge.builder("faultline.orchestration.progress", progress, p -> p.get().getDouble("progress", 0.0))
        .description("share of the running orchestration's steps done (0..1)").register(registry);
    Gauge.builder("faultline.chaos.impact.score", recorder, r -> impact(r.window(System.currentTimeMillis() - 60_000, System.currentTimeMillis())))
        .description("share of the last minute's requests that got a fault or failed (0..1)").register(registry);
    this.state = state;
    // Every label value exists from the start (at 0), so dashboards and alert rules have series before the first event.
    List.of("succeeded", "failed", "aborted", "stopped").forEach(status -> runs(status));
    List.of("succeeded", "failed", "skipped").forEach(status -> steps(status));
    List.of("passed", "failed").forEach(result -> assertions(result));
    iterations();
    stepDuration();
    HOOK_TYPES.forEach(type -> List.of("succeeded", "failed").forEach(result -> hooks(type, result)));
    List.of(true, false).forEach(ok -> heartbeats(ok));
    nodes.register(rows(Map.of("active", 0, "suspect", 0, "failed", 0, "left", 0)), true);
    tasks.register(rows(Map.of("running", 0, "succeeded", 0, "failed", 0)), true);
    taskItems.register(rows("state", ITEM_STATES), true);
  }

  private Counter hooks(String type, String result) {
    return Counter.builder("faultline.orchestration.hooks").description("orchestration hooks executed, by hook type and result")
        .tags("type", type, "result", result).register(registry);
  }

  private Counter heartbeats(boolean ok) {
    return Counter.builder("faultline.cluster.heartbeats").description("heartbeats this node made to the cluster, by result")
        .tags("result", ok ? "ok" : "failed").register(registry);
  }

  private Counter runs(String status) {
    return Counter.builder("faultline.orchestration.runs").description("orchestration runs that ended, by status")
        .tags("status", status).register(registry);
  }

  private Counter steps(String status) {
    return Counter.builder("faultline.orchestration.steps").description("orchestration steps that ended, by status")
        .tags("status", status).register(registry);
  }

  private Counter assertions(String result) {
    return Counter.builder("faultline.orchestration.assertions").description("assertions checked, by result")
        .tags("result", result).register(registry);
  }

  private Counter iterations() {
    return Counter.builder("faultline.orchestration.iterations").description("iterations run").register(registry);
  }

  private Timer stepDuration() {
    return Timer.builder("faultline.orchestration.step.duration").description("how long steps ran")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
  }

  private static List<MultiGauge.Row<?>> rows(Map<String, Integer> byStatus) {
    return rows("status", byStatus);
  }

  private static List<MultiGauge.Row<?>> rows(String label, Map<String, Integer> counts) {
    return new TreeMap<>(counts).entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of(label, e.getKey()), e.getValue())).toList();
  }

  /** Subscribes to the node's event bus. */
  public void bind(Vertx vertx) {
    refreshScenario();
    vertx.eventBus().<JsonObject>consumer(Addresses.CHAOS_CHANGED, m -> refreshScenario());
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.PROGRESS, m -> progress.set(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.FINISHED, m -> finished(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.HOOK, m -> {
      String type = m.body().getString("type");
      if (HOOK_TYPES.contains(type)) {
        hooks(type, m.body().getString("result")).increment();
      }
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.HEARTBEAT, m -> heartbeats(m.body().getBoolean("ok")).increment());
    vertx.setPeriodic(0, CLUSTER_POLL_MS, id -> pollCluster(vertx));
  }

  private void refreshScenario() {
    String active = state.scenario();
    scenario.register(active == null ? List.of() : List.of(MultiGauge.Row.of(Tags.of("scenario", active), 1)), true);
  }

  private void finished(JsonObject report) {
    runs(report.getString("status")).increment();
    iterations().increment(report.getInteger("iterations", 0));
    report.getJsonArray("steps").forEach(o -> {
      JsonObject step = (JsonObject) o;
      steps(step.getString("status")).increment();
      stepDuration().record(step.getLong("duration_ms", 0L), TimeUnit.MILLISECONDS);
      countAssertions(step.getJsonArray("assertions"));
    });
    countAssertions(report.getJsonArray("assertions"));
  }

  private void countAssertions(io.vertx.core.json.JsonArray list) {
    if (list != null) {
      list.forEach(a -> assertions(((JsonObject) a).getBoolean("passed") ? "passed" : "failed").increment());
    }
  }

  private void pollCluster(Vertx vertx) {
    vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_NODES, null).onSuccess(m -> {
      Map<String, Integer> byStatus = new TreeMap<>(Map.of("active", 0, "suspect", 0, "failed", 0, "left", 0));
      m.body().getJsonArray("nodes").forEach(n -> byStatus.merge(((JsonObject) n).getString("status"), 1, Integer::sum));
      nodes.register(rows(byStatus), true);
    });
    vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_LEADER, null).onSuccess(m -> term = m.body().getLong("term", 0L));
    vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null).onSuccess(m -> {
      Map<String, Integer> byStatus = new TreeMap<>(Map.of("running", 0, "succeeded", 0, "failed", 0));
      Map<String, Integer> items = new TreeMap<>(ITEM_STATES);
      m.body().getJsonArray("tasks").forEach(o -> {
        JsonObject task = (JsonObject) o;
        byStatus.merge(task.getString("status"), 1, Integer::sum);
        if ("running".equals(task.getString("status")) && task.getJsonArray("items") != null) {
          task.getJsonArray("items").forEach(i -> items.merge(((JsonObject) i).getString("state"), 1, Integer::sum));
        }
      });
      tasks.register(rows(byStatus), true);
      taskItems.register(rows("state", items), true);
    });
  }

  static double impact(JsonObject window) {
    int requests = window.getInteger("request_count", 0);
    if (requests == 0) {
      return 0;
    }
    double faulted = Math.min(1.0, window.getInteger("fault_count", 0) / (double) requests);
    return Math.max(faulted, window.getDouble("error_rate", 0.0));
  }
}
