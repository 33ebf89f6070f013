package io.faultline.chaos.control;

/** Every event-bus address Faultline answers or publishes on. REST, the console and scripts all use these. */
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
  public static final String SCENARIO_LIST = "faultline.scenario.list";
  public static final String SCENARIO_START = "faultline.scenario.start";
  public static final String SCENARIO_STOP = "faultline.scenario.stop";
  public static final String SCENARIO_SAVE = "faultline.scenario.save";
  public static final String SCENARIO_DELETE = "faultline.scenario.delete";
  public static final String CONFIG_RELOAD = "faultline.config.reload";

  /** Replaces the baseline that reset returns to, and applies it (sent by the config reloader). */
  public static final String CHAOS_REBASE = "faultline.chaos.rebase";

  /** The node's recent chaos changes, newest first ({@code {"limit": N}}, default 50): {@code {"changes": [...]}}; see {@link ChangeLog}. */
  public static final String CHAOS_CHANGES = "faultline.chaos.changes";

  /**
   * Delivery-options header saying where a control message comes from ({@code rest}, {@code cli},
   * {@code console}, {@code graphql}, {@code orchestration:RUN}, {@code task:ID}, {@code node:ID}, {@code experiment:ID},
   * {@code reload}); {@code event-bus} when absent. It becomes the {@code source} of the change (see {@link ChangeLog}).
   */
  public static final String SOURCE_HEADER = "faultline-source";

  /** Published after every change, with the new status as body and the change under {@code change} (see {@link ChangeLog}). */
  public static final String CHAOS_CHANGED = "faultline.chaos.changed";
  public static final String CLUSTER_NODES = "faultline.cluster.nodes";
  public static final String CLUSTER_LEADER = "faultline.cluster.leader";
  public static final String TASKS_SUBMIT = "faultline.cluster.tasks.submit";
  public static final String TASKS_LIST = "faultline.cluster.tasks.list";
  public static final String TASKS_GET = "faultline.cluster.tasks.get";
  /** Local to a node: whether it leads its cluster ({@code {"leading": bool}}); published on change, answered on request. */
  public static final String LEADERSHIP = "faultline.cluster.leadership";
  /** Local to a node: each heartbeat it made ({@code {"ok": bool}}), for metrics. */
  public static final String HEARTBEAT = "faultline.cluster.heartbeat";
  /** Cluster-internal: a node's new chaos state, as the cluster agreed it, for every node to adopt. */
  public static final String CLUSTER_STATE = "faultline.cluster.state";

  private Addresses() {
  }
}
