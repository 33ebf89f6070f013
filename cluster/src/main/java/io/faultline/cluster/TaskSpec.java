package io.faultline.cluster;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.RuleMatch;
import io.faultline.chaos.engine.NodeContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task submission as read from {@code POST /api/cluster/tasks} or {@code faultline.cluster.tasks.submit},
 * every field checked and named when refused. It takes reference 000's {@code DistributedTask} as written:
 * {@code target_nodes} (node ids) for {@code targets: {nodes: [...]}}, {@code coordination_mode} for
 * {@code mode} (with 000's variant names {@code Parallel}, {@code Sequential}, {@code LeaderAssigned},
 * {@code PeerToPeer}), and its bookkeeping fields as a new task has them ({@code status: Pending}, no
 * {@code started_at} or {@code completed_at}; {@code created_at} is ignored: the cluster stamps its own).
 * Both spellings of one field are refused, naming both.
 *
 * <p>What a task runs is one of {@code scenario} (a name), {@code config} (chaos sections), both for
 * {@code duration_seconds}, or {@code orchestration} (a document, as an object or YAML/JSON text, or a
 * library entry's name), which lasts as long as its run; the orchestrator checks it ({@link #resolved}).
 */
record TaskSpec(String id, String mode, String scenario, JsonObject config, Object orchestration, JsonObject resolved,
    Double durationSeconds, JsonObject targets, String targetsField, boolean stopOnFailure) {

  static final List<String> MODES = List.of("parallel", "sequential", "leader_assigned", "peer_to_peer");
  private static final Map<String, String> REFERENCE_MODES = Map.of("Parallel", "parallel", "Sequential", "sequential",
      "LeaderAssigned", "leader_assigned", "PeerToPeer", "peer_to_peer");
  private static final List<String> FIELDS = List.of("id", "mode", "coordination_mode", "scenario", "config", "orchestration",
      "duration_seconds", "targets", "target_nodes", "stop_on_failure", "created_at", "started_at", "completed_at", "status");
  private static final Set<String> PENDING = Set.of("Pending", "pending");

  /** Reads {@code body}; throws a {@link ChaosConfigException} naming the first field that is wrong. */
  static TaskSpec read(JsonObject body) {
    if (body == null) {
      throw new ChaosConfigException("", "a task is required: {\"scenario\", \"config\" or \"orchestration\", \"mode\", \"targets\", ...}");
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new ChaosConfigException(shown(field), "unknown field; a task takes " + FIELDS);
      }
    }
    bookkeeping(body);
    String modeField = alias(body, "mode", "coordination_mode");
    String mode = mode(modeField == null ? "parallel" : body.getValue(modeField), modeField);
    String targetsField = alias(body, "targets", "target_nodes");
    JsonObject targets = "target_nodes".equals(targetsField) ? new JsonObject().put("nodes", nodeIds(body.getValue(targetsField)))
        : targetsField == null ? new JsonObject() : object(body, "targets", "must be an object of node scopes (nodes, regions, zones, node_percent)");
    if (!"target_nodes".equals(targetsField)) {
      scopes(targets);
    }
    List<String> given = List.of("scenario", "config", "orchestration").stream().filter(f -> body.getValue(f) != null).toList();
    if (given.size() != 1) {
      throw new ChaosConfigException(given.isEmpty() ? "scenario" : given.get(1), "give one of scenario (a name), config (chaos"
          + " sections) or orchestration (a document or a library entry's name), got " + (given.isEmpty() ? "none" : given));
    }
    boolean orchestrated = given.get(0).equals("orchestration");
    Object duration = body.getValue("duration_seconds");
    if (orchestrated && duration != null) {
      throw new ChaosConfigException("duration_seconds", "an orchestration task lasts as long as its run (its steps' durations);"
          + " duration_seconds is for scenario and config tasks");
    }
    if (!orchestrated && duration == null) {
      duration = 10;
    }
    // a millisecond at least: the item's timer counts whole milliseconds (0.0005 made a timer of 0, which Vert.x refuses,
    // and the item stayed running with its chaos on)
    if (duration != null && (!(duration instanceof Number n) || n.doubleValue() < 0.001 || n.doubleValue() > 86_400)) {
      throw new ChaosConfigException("duration_seconds", "must be a number of seconds from 0.001 (a millisecond) to 86400, got "
          + quoted(duration));
    }
    Object stop = body.getValue("stop_on_failure", false);
    if (!(stop instanceof Boolean)) {
      throw new ChaosConfigException("stop_on_failure", "must be true or false, got " + shown(stop));
    }
    if (Boolean.TRUE.equals(stop) && !mode.equals("sequential")) {
      // only sequential items wait for each other: in the other modes there is no rest to skip
      throw new ChaosConfigException("stop_on_failure", "applies to sequential tasks only (their items run one after another),"
          + " this one is " + mode);
    }
    Object id = body.getValue("id");
    // not . or ..: HTTP clients and the router resolve them away in a path, so /api/cluster/tasks/../cancel could never reach it
    if (id != null && !(id instanceof String s && s.matches("[A-Za-z0-9_.-]{1,64}") && !s.equals(".") && !s.equals(".."))) {
      throw new ChaosConfigException("id", "must be 1-64 letters, digits, '_', '-' or '.', and not . or .., got " + shown(id));
    }
    Object scenario = body.getValue("scenario");
    if (scenario != null && !(scenario instanceof String)) {
      throw new ChaosConfigException("scenario", "must be a scenario's name");
    }
    JsonObject config = body.getValue("config") == null ? null : object(body, "config", "must be an object of chaos sections");
    if (config != null) {
      sections(config);
    }
    return new TaskSpec((String) id, mode, (String) scenario, config,
        body.getValue("orchestration"), null, duration == null ? null : ((Number) duration).doubleValue(), targets,
        targetsField == null ? "targets" : targetsField, (Boolean) stop);
  }

  private static final List<String> SCOPES = List.of("nodes", "regions", "zones", "node_percent");

  /**
   * A task's targets: node scopes only, each a non-empty list of names (or {@code node_percent} a number). A
   * rule's other match fields ({@code path}, {@code listener}) picked every node; {@code "nodes": "n1"} was a 500.
   */
  private static void scopes(JsonObject targets) {
    for (String key : targets.fieldNames()) {
      Object value = targets.getValue(key);
      if (!SCOPES.contains(key)) {
        throw new ChaosConfigException("targets." + key, "a task's targets are node scopes only, one of " + SCOPES
            + " (a task's chaos applies to all the traffic of the nodes it picks)");
      }
      if (key.equals("node_percent") ? !(value instanceof Number)
          : !(value instanceof JsonArray list) || list.isEmpty() || !list.stream().allMatch(String.class::isInstance)) {
        throw new ChaosConfigException("targets." + key, (key.equals("node_percent") ? "must be a percentage of the live nodes"
            : "must be a non-empty list of names, like [\"eu\"]") + ", got " + quoted(value));
      }
    }
  }

  /**
   * A task's config: chaos sections, at least one. Its {@code enabled}, {@code rules}, {@code seed} or
   * {@code scenario} were taken and ignored (the task's chaos is a rule of its own, from the sections alone).
   */
  private static void sections(JsonObject config) {
    if (config.isEmpty()) {
      throw new ChaosConfigException("config", "is empty: give the chaos sections the task applies, one of "
          + io.faultline.chaos.config.Sections.names());
    }
    for (String key : config.fieldNames()) {
      if (!io.faultline.chaos.config.Sections.names().contains(key)) {
        throw new ChaosConfigException("config." + key, "a task's config takes chaos sections only, one of "
            + io.faultline.chaos.config.Sections.names() + " (a task applies them as a rule of its own, and switches chaos on itself)");
      }
    }
  }

  /** {@code value} as an error shows it: a string in quotes, so "1" is not taken for 1. */
  private static String quoted(Object value) {
    return value instanceof String text ? "\"" + shown(text) + "\"" : shown(value);
  }

  /** The live nodes the targets pick; a node they name that is not live is refused, as is picking none. */
  List<String> pick(List<JsonObject> liveNodes, long seed) {
    List<String> ids = liveNodes.stream().map(n -> n.getString("id")).sorted().toList();
    for (Object named : targets.getJsonArray("nodes", new JsonArray())) {
      if (!ids.contains(named)) {
        throw new ChaosConfigException(targetsField.equals("targets") ? "targets.nodes" : targetsField, "node " + shown(named) + " is not a live node;"
            + " live nodes: " + ids);
      }
    }
    RuleMatch scope = ChaosJson.convert(targets.getMap(), RuleMatch.class, targetsField);
    List<String> picked = new ArrayList<>();
    for (JsonObject node : liveNodes) {
      NodeContext context = new NodeContext(node.getString("id"), node.getString("region"), node.getString("zone"), ids);
      if (scope.appliesTo(context, seed)) {
        picked.add(node.getString("id"));
      }
    }
    if (picked.isEmpty()) {
      throw new ChaosConfigException(targetsField, "no live node matches " + shown(targets.encode()) + "; live nodes: " + ids);
    }
    picked.sort(String::compareTo);
    return picked;
  }

  /** The same submission with its orchestration as the orchestrator checked it: {@code {"name", "text"}}. */
  TaskSpec withResolved(JsonObject checked) {
    return new TaskSpec(id, mode, scenario, config, orchestration, checked, durationSeconds, targets, targetsField, stopOnFailure);
  }

  /** The field given of {@code ours} and {@code reference000s} (null for neither); both is an error naming both. */
  private static String alias(JsonObject body, String ours, String reference000s) {
    boolean a = body.getValue(ours) != null;
    boolean b = body.getValue(reference000s) != null;
    if (a && b) {
      throw new ChaosConfigException(reference000s, "both " + ours + " and " + reference000s + " are set; they mean the same field ("
          + reference000s + " is reference 000's name for it): keep one of them");
    }
    return a ? ours : b ? reference000s : null;
  }

  private static String mode(Object value, String field) {
    String mode = value instanceof String s ? REFERENCE_MODES.getOrDefault(s, s) : null;
    if (mode == null || !MODES.contains(mode)) {
      throw new ChaosConfigException(field, "must be one of " + MODES + " (or reference 000's " + REFERENCE_MODES.keySet().stream()
          .sorted().toList() + "), got " + shown(value));
    }
    return mode;
  }

  private static JsonArray nodeIds(Object value) {
    if (!(value instanceof JsonArray ids) || ids.isEmpty()
        || !ids.stream().allMatch(id -> id instanceof String s && !s.isBlank() && s.length() <= 64)) {
      throw new ChaosConfigException("target_nodes", "must be a non-empty list of node ids, got " + shown(value));
    }
    return ids.copy();
  }

  /** 000's fields that a task's life sets: accepted only as a new task has them. */
  private static void bookkeeping(JsonObject body) {
    Object status = body.getValue("status");
    if (status != null && !PENDING.contains(status)) {
      throw new ChaosConfigException("status", "a task is submitted Pending (or without a status): the cluster sets it as the task runs, got "
          + shown(status));
    }
    for (String field : List.of("started_at", "completed_at")) {
      if (body.getValue(field) != null) {
        throw new ChaosConfigException(field, "a task is submitted without " + field + ": the cluster sets it as the task runs");
      }
    }
  }

  private static JsonObject object(JsonObject body, String field, String what) {
    if (!(body.getValue(field) instanceof JsonObject o)) {
      throw new ChaosConfigException(field, what);
    }
    return o;
  }

  /** A value as an error shows it: at most 80 characters. */
  private static String shown(Object value) {
    String text = String.valueOf(value);
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
