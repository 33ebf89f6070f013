package io.faultline.gateway.metrics;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.event.TrafficRecorder;
import io.faultline.chaos.state.ChaosState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's control-plane metrics: every scenario the node knows (1 for the active one, 0 for the
 * others), orchestration runs (see {@link OrchestrationMeters}), the cluster as this node sees it (nodes by status, the leader and its term, its heartbeats, tasks by
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
  public static final int MAX_FAILED_STEP_SERIES = OrchestrationMeters.MAX_NAMED_STEP_SERIES;
  private static final List<String> TASK_MODES = List.of("parallel", "sequential", "leader_assigned", "peer_to_peer");
  private static final List<String> TASK_STATUSES = List.of("running", "succeeded", "failed", "cancelled");
  private static final Map<String, Integer> ITEM_STATES = Map.of("pending", 0, "assigned", 0, "running", 0, "succeeded", 0, "failed", 0, "skipped", 0,
      "cancelled", 0);

  private final MeterRegistry registry;
  private final ChaosState state;
  private final OrchestrationMeters orchestrations;
  private final MultiGauge scenario;
  private final MultiGauge nodes;
  private final MultiGauge tasks;
  private final MultiGauge taskItems;
  private final MultiGauge leader;
  private volatile double term;

  public ControlPlaneMeters(MeterRegistry registry, ChaosState state, TrafficRecorder recorder) {
    this.registry = registry;
    scenario = MultiGauge.builder("faultline.scenario.active").description("1 for the active scenario, 0 for every other one the node knows").register(registry);
    nodes = MultiGauge.builder("faultline.cluster.nodes").description("cluster nodes this node knows, by status").register(registry);
    tasks = MultiGauge.builder("faultline.cluster.tasks").description("distributed tasks, by status and mode").register(registry);
    leader = MultiGauge.builder("faultline.cluster.leader.info").description("1 for the node this node sees as the leader").register(registry);
    taskItems = MultiGauge.builder("faultline.cluster.task.items")
        .description("per-node parts of the running distributed tasks, by state (their progress)").register(registry);
    Gauge.builder("faultline.cluster.leader.term", this, m -> m.term).description("the leader's term").register(registry);
    orchestrations = new OrchestrationMeters(registry);
    Gauge.builder("faultline.chaos.impact.score", recorder, r -> impact(r.window(System.currentTimeMillis() - 60_000, System.currentTimeMillis())))
        .description("share of the last minute's requests that got a fault or failed (0..1)").register(registry);
    this.state = state;
    // Every label value exists from the start (at 0), so dashboards and alert rules have series before the first event.
    List.of(true, false).forEach(ok -> heartbeats(ok));
    nodes.register(rows(Map.of("active", 0, "suspect", 0, "failed", 0, "left", 0)), true);
    tasks.register(taskRows(Map.of()), true);
    taskItems.register(rows("state", ITEM_STATES), true);
  }

  private Counter heartbeats(boolean ok) {
    return Counter.builder("faultline.cluster.heartbeats").description("heartbeats this node made to the cluster, by result")
        .tags("result", ok ? "ok" : "failed").register(registry);
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
    orchestrations.bind(vertx);
    vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.HEARTBEAT, m -> heartbeats(m.body().getBoolean("ok")).increment());
    vertx.setPeriodic(0, CLUSTER_POLL_MS, id -> pollCluster(vertx));
  }

  /** A row for every scenario the node knows (built in and saved), 1 for the active one and 0 for the others. */
  private void refreshScenario() {
    String active = state.scenario();
    scenario.register(state.scenarios().stream()
        .<MultiGauge.Row<?>>map(s -> MultiGauge.Row.of(Tags.of("scenario", s.name()), s.name().equals(active) ? 1 : 0)).toList(), true);
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
    return window.getInteger("affected_count", 0) / (double) requests;
  }
}
