package io.faultline.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster's node registry: one record per node id in a Hazelcast map ({@code id}, {@code address},
 * {@code region}, {@code zone}, {@code capabilities}, {@code member}, {@code last_heartbeat},
 * {@code status}), each node writing its own on every heartbeat. Calls block: use from worker threads.
 */
final class NodeRegistry {

  private final IMap<String, String> map;
  private final Supplier<Set<String>> members;
  private final long heartbeatIntervalMs;

  /** {@code members} answers the ids of the cluster's current Hazelcast members. */
  NodeRegistry(IMap<String, String> map, Supplier<Set<String>> members, long heartbeatIntervalMs) {
    this.map = map;
    this.members = members;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
  }

  /** The record registered under {@code id}, or null. */
  JsonObject get(String id) {
    String json = map.get(id);
    return json == null ? null : new JsonObject(json);
  }

  void put(JsonObject record) {
    map.set(record.getString("id"), record.encode());
  }

  /** Every registered node with its {@link NodeStatus}, sorted by id. */
  JsonArray withStatuses(long nowMs) {
    Set<String> live = members.get();
    JsonArray list = new JsonArray();
    records().stream().sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
        .forEach(node -> list.add(node.put("status", NodeStatus.of(node, live, nowMs, heartbeatIntervalMs).label())));
    return list;
  }

  /** The records of the nodes that take part (members that did not leave). */
  List<JsonObject> liveRecords() {
    Set<String> live = members.get();
    return records().stream().filter(n -> NodeStatus.live(n, live)).toList();
  }

  /** The ids of the nodes that take part, sorted, always including {@code self}. */
  List<String> liveIds(String self) {
    List<String> ids = new ArrayList<>(liveRecords().stream().map(n -> n.getString("id")).toList());
    if (!ids.contains(self)) {
      ids.add(self);
    }
    ids.sort(String::compareTo);
    return List.copyOf(ids);
  }

  private List<JsonObject> records() {
    return map.values().stream().map(JsonObject::new).toList();
  }
}
