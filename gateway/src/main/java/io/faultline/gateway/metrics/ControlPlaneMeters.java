package io.faultline.gateway.metrics;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's control-plane metrics: the active scenario, orchestration runs (active, progress, runs and
 * their durations by mode, steps, failed steps, step durations, iterations, assertions, hooks), the
 * cluster as this node sees it (nodes by status, the leader and its term, its heartbeats, tasks by
 * status and mode and their per-node items by state) and a chaos impact score. Fed from the event
 * bus (progress, hooks, heartbeats and finished runs as they happen, cluster state every few seconds),
 * never from the request path.
 */
public final class ControlPlaneMeters {

  static final long CLUSTER_POLL_MS = 2_000;
  /**
   * Distinct orchestration/step pairs {@code faultline_orchestration_failed_steps_total} names before it
   * counts the rest as {@code _other}, so user-chosen names cannot grow the series without bound.
   */
  public static final int MAX_FAILED_STEP_SERIES = 100;
  private static final List<String> RUN_MODES = List.of("sequential", "parallel");
  private static final List<String> TASK_MODES = List.of("parallel", "sequential", "leader_assigned", "peer_to_peer");
  private static final List<String> TASK_STATUSES = List.of("running", "succeeded", "failed");
  private static final List<String> HOOK_TYPES = List.of("pre_orchestration", "pre_step", "post_step", "post_orchestration");
  private static final Map<String, Integer> ITEM_STATES = Map.of("pending", 0, "assigned", 0, "running", 0, "succeeded", 0, "failed", 0, "skipped", 0);

  private final MeterRegistry registry;
  private final ChaosState state;
  private final AtomicReference<JsonObject> progress = new AtomicReference<>(new JsonObject());
  private final MultiGauge scenario;
  private final MultiGauge nodes;
  private final MultiGauge tasks;
  private final MultiGauge taskItems;
  private final MultiGauge leader;
  /** Touched only by the event-bus consumer of finished runs. */
  private final Set<List<String>> failedStepSeries = new HashSet<>();
  private volatile double term;

  public ControlPlaneMeters(MeterRegistry registry, ChaosState state, TrafficRecorder recorder) {
    this.registry = registry;
    scenario = MultiGauge.builder("faultline.scenario.active").description("1 for the scenario that is active").register(registry);
    nodes = MultiGauge.builder("faultline.cluster.nodes").description("cluster nodes this node knows, by status").register(registry);
    tasks = MultiGauge.builder("faultline.cluster.tasks").description("distributed tasks, by status and mode").register(registry);
    leader = MultiGauge.builder("faultline.cluster.leader.info").description("1 for the node this node sees as the leader").register(registry);
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
    RUN_MODES.forEach(mode -> {
      List.of("succeeded", "failed", "aborted", "stopped").forEach(status -> runs(status, mode));
      runDuration(mode);
      stepDuration(mode);
    });
    List.of("succeeded", "failed", "skipped").forEach(status -> steps(status));
    List.of("passed", "failed").forEach(result -> assertions(result));
    iterations();
    HOOK_TYPES.forEach(type -> List.of("succeeded", "failed").forEach(result -> hooks(type, result)));
    List.of(true, false).forEach(ok -> heartbeats(ok));
    nodes.register(rows(Map.of("active", 0, "suspect", 0, "failed", 0, "left", 0)), true);
    tasks.register(taskRows(Map.of()), true);
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

  private Counter runs(String status, String mode) {
    return Counter.builder("faultline.orchestration.runs").description("orchestration runs that ended, by status and mode")
        .tags("status", status, "mode", mode).register(registry);
  }

  private Timer runDuration(String mode) {
    return Timer.builder("faultline.orchestration.duration").description("how long orchestration runs took, by mode")
        .tags("mode", mode).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(4))
        .register(registry);
  }

  /** Counts a failed step by orchestration and step name; past {@link #MAX_FAILED_STEP_SERIES} pairs, as {@code _other}. */
  private void failedStep(String orchestration, String step) {
    List<String> pair = List.of(orchestration, step);
    if (!failedStepSeries.contains(pair)) {
      if (failedStepSeries.size() < MAX_FAILED_STEP_SERIES) {
        failedStepSeries.add(pair);
      } else {
        pair = List.of("_other", "_other");
      }
    }
    Counter.builder("faultline.orchestration.failed.steps").description("orchestration steps that failed, by orchestration and step")
        .tags("orchestration", pair.get(0), "step", pair.get(1)).register(registry).increment();
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

  private Timer stepDuration(String mode) {
    return Timer.builder("faultline.orchestration.step.duration").description("how long steps ran, by their run's mode")
        .tags("mode", mode).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
  }

  private static List<MultiGauge.Row<?>> rows(Map<String, Integer> byStatus) {
    return rows("status", byStatus);
  }

  private static List<MultiGauge.Row<?>> taskRows(Map<List<String>, Integer> counts) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    TASK_MODES.forEach(mode -> TASK_STATUSES.forEach(status ->
        rows.add(MultiGauge.Row.of(Tags.of("mode", mode, "status", status), counts.getOrDefault(List.of(mode, status), 0)))));
    return rows;
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
    vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.HEARTBEAT, m -> heartbeats(m.body().getBoolean("ok")).increment());
    vertx.setPeriodic(0, CLUSTER_POLL_MS, id -> pollCluster(vertx));
  }

  private void refreshScenario() {
    String active = state.scenario();
    scenario.register(active == null ? List.of() : List.of(MultiGauge.Row.of(Tags.of("scenario", active), 1)), true);
  }

  private void finished(JsonObject report) {
    String mode = RUN_MODES.contains(report.getString("mode")) ? report.getString("mode") : "sequential";
    runs(report.getString("status"), mode).increment();
    runDuration(mode).record(report.getLong("duration_ms", 0L), TimeUnit.MILLISECONDS);
    iterations().increment(report.getInteger("iterations", 0));
    report.getJsonArray("steps").forEach(o -> {
      JsonObject step = (JsonObject) o;
      steps(step.getString("status")).increment();
      if ("failed".equals(step.getString("status"))) {
        failedStep(report.getString("name", ""), step.getString("name", ""));
      }
      stepDuration(mode).record(step.getLong("duration_ms", 0L), TimeUnit.MILLISECONDS);
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
    vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_LEADER, null).onSuccess(m -> {
      term = m.body().getLong("term", 0L);
      String node = m.body().getString("node");
      leader.register(node == null ? List.of() : List.of(MultiGauge.Row.of(Tags.of("node", node), 1)), true);
    });
    vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null).onSuccess(m -> {
      Map<List<String>, Integer> byModeAndStatus = new HashMap<>();
      Map<String, Integer> items = new TreeMap<>(ITEM_STATES);
      m.body().getJsonArray("tasks").forEach(o -> {
        JsonObject task = (JsonObject) o;
        byModeAndStatus.merge(List.of(task.getString("mode", ""), task.getString("status", "")), 1, Integer::sum);
        if ("running".equals(task.getString("status")) && task.getJsonArray("items") != null) {
          task.getJsonArray("items").forEach(i -> items.merge(((JsonObject) i).getString("state"), 1, Integer::sum));
        }
      });
      tasks.register(taskRows(byModeAndStatus), true);
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
