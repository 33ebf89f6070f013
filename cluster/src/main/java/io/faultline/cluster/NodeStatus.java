package io.faultline.cluster;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/** How a registered node is doing, from its record, the cluster's current members and the clock. */
enum NodeStatus {
  /** It shut down and said so. */
  LEFT,
  /** Its Hazelcast member is gone without leaving: it crashed or was cut off. */
  FAILED,
  /** A member still, but its last heartbeat is older than three intervals. */
  SUSPECT,
  /** A member with a recent heartbeat. */
  ACTIVE;

  /** The status of {@code node} (a registry record) given the live member ids and the heartbeat interval. */
  static NodeStatus of(JsonObject node, Set<String> members, long nowMs, long heartbeatIntervalMs) {
    if ("left".equals(node.getString("status"))) {
      return LEFT;
    }
    if (!members.contains(node.getString("member"))) {
      return FAILED;
    }
    Long last = node.getLong("last_heartbeat");
    return last == null || nowMs - last > 3 * heartbeatIntervalMs ? SUSPECT : ACTIVE;
  }

  /** True for a node that takes part in the cluster (tasks, node scopes): a member that did not leave, late or not. */
  static boolean live(JsonObject node, Set<String> members) {
    return !"left".equals(node.getString("status")) && members.contains(node.getString("member"));
  }

  /** The name in registry answers ({@code active}, {@code suspect}, {@code failed}, {@code left}). */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
