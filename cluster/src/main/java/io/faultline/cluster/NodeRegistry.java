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

  /**
   * Every registered node with its {@link NodeStatus}, sorted by id; {@code self}, which answers, is not suspect
   * whatever its record's age (its own heartbeat may be held up by the map, as while another member hangs).
   */
  JsonArray withStatuses(long nowMs, String self) {
    return withStatuses(records(), nowMs, self);
  }

  /**
   * As {@link #withStatuses(long, String)} from the records as last read, without reading the map: it does not
   * block. While a member hangs, reading the map waits for the partitions it owns until Hazelcast gives it up, so
   * the one moment a node is {@code suspect} (its heartbeats late, its member still listed) could never be shown.
   */
  JsonArray lastReadWithStatuses(long nowMs, String self) {
    return withStatuses(lastRead, nowMs, self);
  }

  private JsonArray withStatuses(List<JsonObject> records, long nowMs, String self) {
    Set<String> live = members.get();
    JsonArray list = new JsonArray();
    records.stream().map(JsonObject::copy).sorted((a, b) -> a.getString("id").compareTo(b.getString("id"))).forEach(node -> {
      NodeStatus status = NodeStatus.of(node, live, nowMs, heartbeatIntervalMs);
      list.add(node.put("status", (status == NodeStatus.SUSPECT && self.equals(node.getString("id")) ? NodeStatus.ACTIVE : status).label()));
    });
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

  /**
   * Removes the records of nodes that left or failed whose last heartbeat is older than {@code forgetAfterMs}; answers
   * their ids. A record changed meanwhile (the node came back under its id) is left alone.
   */
  List<String> forgetGone(long nowMs, long forgetAfterMs) {
    Set<String> live = members.get();
    List<String> forgotten = new ArrayList<>();
    map.entrySet().forEach(entry -> {
      JsonObject node = new JsonObject(entry.getValue());
      NodeStatus status = NodeStatus.of(node, live, nowMs, heartbeatIntervalMs);
      Long last = node.getLong("last_heartbeat");
      if ((status == NodeStatus.LEFT || status == NodeStatus.FAILED) && (last == null || nowMs - last > forgetAfterMs)
          && map.remove(entry.getKey(), entry.getValue())) {
        forgotten.add(entry.getKey());
      }
    });
    return forgotten;
  }

  /** The records as the last read of the map found them (none before it). */
  private volatile List<JsonObject> lastRead = List.of();

  private List<JsonObject> records() {
    List<JsonObject> read = map.values().stream().map(JsonObject::new).toList();
    lastRead = read;
    return read;
  }
}
