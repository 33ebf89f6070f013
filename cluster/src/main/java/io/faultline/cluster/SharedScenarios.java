package io.faultline.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The saved scenarios the cluster holds: one map entry per name, {@code {"at", "scenario"}} ({@code scenario}
 * the save's JSON, null once deleted: the entry stays, so a node that was away drops its copy rather than
 * bringing it back). A change is stored unless the cluster holds a later one (by the clock of the node
 * that made it), by compare-and-set, so two nodes saving at once converge on one. Calls block: use from
 * worker threads.
 */
final class SharedScenarios {

  private final IMap<String, String> map;

  SharedScenarios(IMap<String, String> map) {
    this.map = map;
  }

  /** Stores {@code scenario} (null: deleted) as made at {@code at}, unless the cluster holds a later change; answers whether it did. */
  boolean store(String name, JsonObject scenario, long at) {
    String json = new JsonObject().put("at", at).put("scenario", scenario).encode();
    while (true) {
      String current = map.get(name);
      JsonObject held = readable(current);
      if (held != null && held.getLong("at", 0L) > at) {
        return false;
      }
      boolean done = current == null ? map.putIfAbsent(name, json) == null : map.replace(name, current, json);
      if (done) {
        return true;
      }
    }
  }

  /** Stores {@code scenario} only when the cluster knows nothing of its name (a node joining with its own). */
  void offer(String name, JsonObject scenario, long at) {
    map.putIfAbsent(name, new JsonObject().put("at", at).put("scenario", scenario).encode());
  }

  /** What the cluster holds of {@code name} ({@code {"at", "scenario"}}), or null. */
  JsonObject get(String name) {
    return readable(map.get(name));
  }

  /** Every entry, by name. */
  Map<String, JsonObject> all() {
    Map<String, JsonObject> all = new LinkedHashMap<>();
    map.forEach((name, json) -> {
      JsonObject entry = readable(json);
      if (entry != null) {
        all.put(name, entry);
      }
    });
    return all;
  }

  private static JsonObject readable(String json) {
    if (json == null) {
      return null;
    }
    try {
      return new JsonObject(json);
    } catch (DecodeException e) {
      return null;
    }
  }
}
