package io.faultline.chaos.control;

/**
 * The public event-bus addresses of the chaos control plane: REST, the console and scripts all use
 * these (the orchestrator's are on {@code OrchestratorVerticle}). Addresses nodes use among themselves
 * are in {@link InternalAddresses}.
 */
public final class Addresses {

  public static final String CHAOS_STATUS = "faultline.chaos.status";
  public static final String CHAOS_GET = "faultline.chaos.get";
  public static final String CHAOS_SET = "faultline.chaos.set";
  public static final String CHAOS_ENABLE = "faultline.chaos.enable";
  public static final String CHAOS_DISABLE = "faultline.chaos.disable";
  public static final String CHAOS_RESET = "faultline.chaos.reset";
  public static final String RULES_LIST = "faultline.chaos.rules.list";
  public static final String RULES_PUT = "faultline.chaos.rules.put";
  public static final String RULES_REMOVE = "faultline.chaos.rules.remove";
  /** {@code {"name": OLD, "rule": {...}}}: the rule named OLD replaced by {@code rule} (renamed or not) in its place. */
  public static final String RULES_REPLACE = "faultline.chaos.rules.replace";
  public static final String SCENARIO_LIST = "faultline.scenario.list";
  public static final String SCENARIO_START = "faultline.scenario.start";
  public static final String SCENARIO_STOP = "faultline.scenario.stop";
  public static final String SCENARIO_SAVE = "faultline.scenario.save";
  public static final String SCENARIO_DELETE = "faultline.scenario.delete";
  public static final String CONFIG_RELOAD = "faultline.config.reload";

  /** The node's recent chaos changes, newest first ({@code {"limit": N}}, default 50): {@code {"changes": [...]}}; see {@link ChangeLog}. */
  public static final String CHAOS_CHANGES = "faultline.chaos.changes";

  /**
   * Delivery-options header saying where a control message comes from ({@code rest}, {@code cli},
   * {@code console}, {@code graphql}, {@code orchestration:RUN}, {@code task:ID}, {@code node:ID}, {@code experiment:ID},
   * {@code reload}, {@code bridge}); {@code event-bus} when absent. It becomes the {@code source} of the change (see {@link ChangeLog}).
   */
  public static final String SOURCE_HEADER = "faultline-source";

  /** Published after every change, with the new status as body and the change under {@code change} (see {@link ChangeLog}). */
  public static final String CHAOS_CHANGED = "faultline.chaos.changed";
  /**
   * Published once a second, to this node only: {@code {at, interval_ms, request_metrics, listeners:
   * [{name, protocol, port, upstream, requests, requests_per_second, errors, error_rate, faults: {TYPE: n},
   * p50_ms, p99_ms}]}} for the second that ended at {@code at} (the console's live charts).
   */
  public static final String TRAFFIC_SUMMARY = "faultline.traffic.summary";

  /** Answered by the node: {@code {"seconds": N}} (1..300, default 120) gives {@code {"summaries": [...]}}, oldest first. */
  public static final String TRAFFIC_RECENT = "faultline.traffic.recent";

  /**
   * This node's traffic listeners (listeners are per node): {@code {"listeners": [{name, protocol, host, port,
   * upstream, origin}]}} ({@code origin}: {@code config} or {@code api}).
   */
  public static final String LISTENERS_LIST = "faultline.listeners.list";
  /** Starts a listener on this node now: a listener's config ({@code {name, protocol, host, port, upstream}}); answers it as listed, with its port. */
  public static final String LISTENERS_ADD = "faultline.listeners.add";
  /**
   * Stops and forgets a listener of this node ({@code {"name", "grace_ms"?}}): its port closes and its connections
   * are closed, at once or, with {@code grace_ms}, when what they carry is done or the grace runs out; answered then.
   */
  public static final String LISTENERS_REMOVE = "faultline.listeners.remove";

  /** The longest grace a listener's removal may give, as {@code shutdown_grace_ms}'s: an hour. */
  public static final long MAX_GRACE_MS = 3_600_000;

  /**
   * A removal's {@code grace_ms}: absent is 0; a whole number of milliseconds up to {@link #MAX_GRACE_MS}, from
   * JSON or a query parameter's text. Anything else is refused naming the field.
   */
  public static long graceMs(Object value) {
    if (value == null) {
      return 0;
    }
    Long ms = null;
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      ms = n.longValue();
    } else if (value instanceof String s && s.matches("-?\\d{1,10}")) {
      ms = Long.parseLong(s);
    }
    if (ms == null || ms < 0 || ms > MAX_GRACE_MS) {
      throw new io.faultline.chaos.config.ChaosConfigException("grace_ms",
          "must be a whole number of milliseconds from 0 to " + MAX_GRACE_MS + " (1 h), got " + value);
    }
    return ms;
  }

  /**
   * How long a caller waits for the answer to a request carrying {@code body}: the event bus's 30 s, plus a
   * {@code grace_ms} the request gives (a listener's removal answers once its drain has ended: a grace
   * over 30 s was answered "timed out" though the removal went on and succeeded). A grace the handler will
   * refuse adds nothing: it is refused at once.
   */
  public static long replyTimeoutMs(Object body) {
    long timeout = io.vertx.core.eventbus.DeliveryOptions.DEFAULT_TIMEOUT;
    if (body instanceof io.vertx.core.json.JsonObject json) {
      try {
        timeout += graceMs(json.getValue("grace_ms"));
      } catch (io.faultline.chaos.config.ChaosConfigException refused) {
        // refused by the handler, at once
      }
    }
    return timeout;
  }

  /**
   * Local to a node: the orchestrator's library entries that name scenario {@code {"scenario"}}:
   * {@code {entries: [{name, schedule}]}}. A scenario's delete asks it first.
   */
  public static final String LIBRARY_USES = "faultline.orchestration.library.uses";

  /** The orchestrator's run status ({@code {is_running, run_id, ...}}), answered by the leader's orchestrator; here for modules below it. */
  public static final String ORCHESTRATION_STATUS = "faultline.orchestration.status";

  public static final String CLUSTER_NODES = "faultline.cluster.nodes";
  public static final String CLUSTER_LEADER = "faultline.cluster.leader";
  public static final String TASKS_SUBMIT = "faultline.cluster.tasks.submit";
  public static final String TASKS_LIST = "faultline.cluster.tasks.list";
  public static final String TASKS_GET = "faultline.cluster.tasks.get";
  /**
   * {@code {"id"}}: cancels a running task. Items not started are {@code cancelled} at once; running ones
   * end on their nodes (their rule removed, an orchestration item's run stopped), then are {@code cancelled}.
   * Answers the task, {@code status: cancelled}; 404 for no such task, 409 when it has ended.
   */
  public static final String TASKS_CANCEL = "faultline.cluster.tasks.cancel";
  /**
   * {@code {"id"}}: deletes an ended task, so its id can be used again. Answers the task as it was; 404 for no
   * such task, 409 while it runs (cancel it first) or is still putting its chaos back.
   */
  public static final String TASKS_DELETE = "faultline.cluster.tasks.delete";
  /** Local to a node: whether it leads its cluster ({@code {"leading": bool}}); published on change, answered on request. */
  public static final String LEADERSHIP = "faultline.cluster.leadership";

  private Addresses() {
  }
}
