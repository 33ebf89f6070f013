package io.faultline.chaos.control;

import io.vertx.core.json.JsonObject;

/**
 * Event-bus addresses that nodes use among themselves or within one node, never documented for users
 * and never carried by a bridge: {@link Addresses} holds the public ones.
 */
public final class InternalAddresses {

  /**
   * A node-local shared map (not an address): the saved scenarios an orchestration run of this node names, from
   * the moment its start checks them until the run ends, each to the run ({@code "NAME (run-ID)"}). A delete
   * of one is refused: the check that the run's scenarios exist and a delete that came between them let the
   * start through and failed its step.
   */
  public static final String SCENARIOS_HELD = "faultline.scenarios.held";

  /**
   * A node-local shared map (not an address) of what holds this node's chaos config for a while and puts back
   * the config it found when it ends: {@code "experiment"} (an A/B test or a breaking-point search, its id) and
   * {@code "run"} (the orchestration run, {@code "NAME (run-ID)"}).
   */
  public static final String STEERING = "faultline.experiment.steering";

  /**
   * Cluster-internal, published: an experiment on one node holds the chaos config the whole cluster shares
   * ({@code {"id", "node", "held": true}}, again every {@link #EXPERIMENT_HOLD_RENEW_MS} while it runs) or lets go
   * ({@code "held": false}). Every other node keeps it in its {@link #STEERING} map as {@code "experiment_remote"}: one
   * value, {@code ID@UNTIL} (when the hold lapses unless renewed: the node running it may die), beside this node's own
   * {@code "experiment"}, so a run started on the leader, a reload or another experiment is refused there too.
   */
  public static final String EXPERIMENT_HELD = "faultline.internal.experiment.held";

  /** How often an experiment renews its hold on the other nodes; it lapses after three times that unheard. */
  public static final long EXPERIMENT_HOLD_RENEW_MS = 5_000;

  /** The {@link #STEERING} key of another node's experiment's hold ({@link #EXPERIMENT_HELD}). */
  public static final String REMOTE_EXPERIMENT = "experiment_remote";

  /**
   * The experiment holding this node's chaos config (its id), or null: this node's own, else another node's whose hold
   * has not lapsed ({@link #EXPERIMENT_HELD}); a lapsed one is forgotten (only if no renewal replaced it meanwhile).
   */
  public static Object experimentHolding(io.vertx.core.Vertx vertx) {
    io.vertx.core.shareddata.LocalMap<Object, Object> steering = vertx.sharedData().getLocalMap(STEERING);
    Object own = steering.get("experiment");
    if (own != null) {
      return own;
    }
    return remoteExperiment(steering, System.currentTimeMillis());
  }

  /** Another node's experiment holding the config ({@link #REMOTE_EXPERIMENT}), or null; a lapsed hold is removed. */
  private static String remoteExperiment(io.vertx.core.shareddata.LocalMap<Object, Object> steering, long now) {
    if (!(steering.get(REMOTE_EXPERIMENT) instanceof String held)) {
      return null;
    }
    int at = held.lastIndexOf('@');
    if (at < 0 || Long.parseLong(held.substring(at + 1)) < now) {
      steering.remove(REMOTE_EXPERIMENT, held); // not a renewal that came meanwhile
      return null;
    }
    return held.substring(0, at);
  }

  /** Records another node's experiment {@code id} as holding the config until {@code untilMs}. */
  public static void remoteExperimentHeld(io.vertx.core.Vertx vertx, String id, long untilMs) {
    vertx.sharedData().getLocalMap(STEERING).put(REMOTE_EXPERIMENT, id + "@" + untilMs);
  }

  /** Forgets another node's experiment {@code id}'s hold (it ended), unless another's replaced it. */
  public static void remoteExperimentReleased(io.vertx.core.Vertx vertx, String id) {
    io.vertx.core.shareddata.LocalMap<Object, Object> steering = vertx.sharedData().getLocalMap(STEERING);
    if (steering.get(REMOTE_EXPERIMENT) instanceof String held && held.startsWith(id + "@")) {
      steering.remove(REMOTE_EXPERIMENT, held);
    }
  }

  /** Cluster-internal: a notice that the cluster's agreed chaos state changed; each node re-reads it from the shared map. */
  public static final String CLUSTER_STATE = "faultline.cluster.state";

  /**
   * Local: a saved scenario was stored by a request on this node ({@code {"name", "scenario"}}, the
   * scenario's JSON, or null when deleted), for the cluster to share.
   */
  public static final String SCENARIO_STORED = "faultline.scenario.stored";

  /**
   * Local: saved scenarios the cluster holds, to keep here too ({@code {"put": [scenario...], "remove": [name...]}}):
   * applied and stored like a save, and not shared back.
   */
  public static final String SCENARIOS_ADOPT = "faultline.scenarios.adopt";

  /** Cluster-internal: a notice that the cluster's saved scenario {@code {"name"}} changed; each node re-reads it. */
  public static final String CLUSTER_SCENARIO = "faultline.cluster.scenario";

  /**
   * Local: answers what a run puts back when it ends, {@code {"config", "before_scenario"}}: the config and
   * what stopping its scenario returns to (null when none is active).
   */
  public static final String CHAOS_SAVED = "faultline.chaos.saved";

  /** Local: puts back what {@link #CHAOS_SAVED} answered ({@code config} without rules keeps today's rules). */
  public static final String CHAOS_RESTORE = "faultline.chaos.restore";

  /**
   * Local: sets the chaos seed alone, {@code {"seed": N}} (null or left out: none, the node's default), the rest of the
   * state as it is: an A/B test's seed for each sample, and the one it found put back at its end.
   */
  public static final String CHAOS_SEED = "faultline.chaos.seed";

  /** Local: replaces the baseline that reset returns to, and applies it (sent by the config reloader). */
  public static final String CHAOS_REBASE = "faultline.chaos.rebase";

  /** Local to a node: each heartbeat it made ({@code {"ok": bool}}), for metrics. */
  public static final String HEARTBEAT = "faultline.cluster.heartbeat";

  /**
   * Local to a node: answers ({@code {"name"}}) once the listener has acted on the chaos state installed
   * before the request was sent (a tcp listener that went down closed its port, one back up listens again).
   */
  public static final String LISTENERS_SETTLE = "faultline.listeners.settle";

  /**
   * Local to a node: checks a listener ({@link Addresses#LISTENERS_ADD}'s body) that is to replace the one of its name,
   * as an add would check it (its fields, its protocol's upstream, a port no other listener or node server holds),
   * starting and stopping nothing; answers {@code {}}, or fails as the add would. A replacement is checked so before the
   * old listener goes (the Toxiproxy API's update and populate stopped a proxy, then found its new upstream invalid).
   */
  public static final String LISTENERS_CHECK = "faultline.listeners.check";

  /**
   * Local to a node: a distributed task's {@code orchestration} as submitted (an orchestration document as
   * a JSON object, YAML or JSON text, or a library entry's name) is checked by the orchestrator, which
   * answers {@code {"name", "text"}} or fails naming the field {@code orchestration}.
   */
  public static final String TASK_ORCHESTRATION_CHECK = "faultline.cluster.task.orchestration.check";

  /**
   * Local to a node: runs a task item's orchestration here with its chaos confined to this node
   * ({@code {"task", "index", "node", "text"}}); answers {@code {"run_id", "name"}} once the run started.
   */
  public static final String TASK_ORCHESTRATION_RUN = "faultline.cluster.task.orchestration.run";

  /**
   * Published to this node when a task item's run ended: {@code {"task", "index", "run_id", "status",
   * "report"}} ({@code report} a summary of the run's report, which the report endpoints serve whole).
   */
  public static final String TASK_ORCHESTRATION_ENDED = "faultline.cluster.task.orchestration.ended";

  /** Published to the whole cluster when a task was cancelled ({@code {"task"}}): each node ends its items of it at once. */
  public static final String TASK_CANCELLED = "faultline.cluster.task.cancelled";

  /** Local to a node: stops the runs of task {@code {"task"}}'s items here (each removes its rule as it ends); answers how many. */
  public static final String TASK_ORCHESTRATION_STOP = "faultline.cluster.task.orchestration.stop";

  /**
   * Published to this node at each heartbeat: the items of the tasks still going, as the task map has them,
   * {@code {"items": [{"task", "index", "state", "node", "run_id"}]}}. A task item's run here whose item is not running
   * here under its run id (twice in a row) gives up: its item was ended or handed to another node while this node was
   * cut off from the cluster.
   */
  public static final String TASK_ITEMS = "faultline.cluster.task.items";

  /**
   * Local to a node, answered by the cluster's leader (where runs execute): the step of the running
   * orchestration that names scenario {@code {"scenario"}}, as {@code {"name", "step"}}, or {@code {}}.
   */
  public static final String RUN_STEP_USING = "faultline.orchestration.run.step_using";

  private InternalAddresses() {
  }

  /**
   * The {@link #CHAOS_RESTORE} body that puts back {@code saved} (a {@link #CHAOS_SAVED} answer) but not its rules: a
   * run or an experiment changes none, and rules put meanwhile (a distributed task's, a user's) stay.
   */
  public static JsonObject restoring(JsonObject saved) {
    return saved.copy().put("config", withoutRules(saved.getJsonObject("config")));
  }

  /** A copy of chaos config {@code config} without its rules. */
  public static JsonObject withoutRules(JsonObject config) {
    JsonObject copy = config.copy();
    copy.remove("rules");
    return copy;
  }
}
