package io.faultline.chaos.control;

import io.faultline.chaos.config.ChaosSections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * How a distributed task's chaos reaches a node: each item is the rule {@code task:ID:INDEX} matching only
 * the item's node, put and removed through the control addresses with the source {@code task:ID}. The
 * cluster (scenario and config tasks) and the orchestrator (orchestration tasks) both write it this way, so
 * the leader can remove the rule of an item whose node died whatever the item ran.
 */
public final class TaskRules {

  private TaskRules() {
  }

  /** The rule of item {@code index} of task {@code taskId}. */
  public static String name(String taskId, int index) {
    return io.faultline.chaos.config.ChaosRule.TASK_PREFIX + taskId + ":" + index;
  }

  /** The {@link Addresses#SOURCE_HEADER} of the task's control messages. */
  public static String source(String taskId) {
    return "task:" + taskId;
  }

  /** The rule {@code name} for traffic on {@code node} only, with the chaos sections {@code config} sets (its other fields are left out). */
  public static JsonObject rule(String name, String node, Map<String, Object> config) {
    JsonObject rule = new JsonObject().put("name", name).put("match", new JsonObject().put("nodes", new JsonArray().add(node)));
    for (String section : ChaosSections.NAMES) {
      if (config.get(section) != null) {
        rule.put(section, config.get(section));
      }
    }
    return rule;
  }
}
