package io.faultline.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Who leads the cluster. The oldest member leads: Hazelcast keeps one agreed member list ordered by age,
 * so every node knows the leader without a vote. When that is this node and the leader entry names
 * another, this node takes over with a term above every term it has seen; every node notes the terms it
 * sees, so a new leader counts up even if the entry was lost with the member that held it. Calls block:
 * use from worker threads.
 */
final class Leadership {

  private static final Logger LOG = Logger.getLogger(Leadership.class.getName());
  private static final String KEY = "current";

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> map;
  private final String nodeId;
  private volatile long seenTerm;
  private volatile boolean leading;

  Leadership(HazelcastInstance hazelcast, IMap<String, String> map, String nodeId) {
    this.hazelcast = hazelcast;
    this.map = map;
    this.nodeId = nodeId;
  }

  boolean leading() {
    return leading;
  }

  /** Follows the member list (taking over when this node became the oldest); answers true when this node's role changed. */
  boolean update() {
    // read each time: a member Hazelcast merged back after it was cut off (a long GC pause, a frozen VM) has a new
    // UUID, and compared with the one it started with it never found itself the oldest: once the others were gone
    // the cluster had no leader (tasks stayed pending, orchestrations could not start)
    UUID member = hazelcast.getCluster().getLocalMember().getUuid();
    Member oldest = hazelcast.getCluster().getMembers().iterator().next();
    boolean now = oldest.getUuid().equals(member);
    boolean changed = now != leading;
    // taken as this node's role only once the leader entry says so: a map write that fails during a fail-over (it
    // throws) leaves the change to be found, and published, at the next update, where it was lost
    while (true) {
      String current = map.get(KEY);
      if (current != null) {
        seenTerm = Math.max(seenTerm, new JsonObject(current).getLong("term"));
      }
      if (!now || current != null && new JsonObject(current).getString("member").equals(member.toString())) {
        leading = now;
        return changed;
      }
      long term = seenTerm + 1;
      String next = new JsonObject().put("node", nodeId).put("member", member.toString()).put("term", term)
          .put("since", System.currentTimeMillis()).encode();
      boolean done = current == null ? map.putIfAbsent(KEY, next) == null : map.replace(KEY, current, next);
      if (done) {
        seenTerm = term;
        leading = now;
        LOG.info(() -> "node " + nodeId + " leads cluster " + hazelcast.getConfig().getClusterName() + " (term " + term + ")");
        return changed;
      }
    }
  }

  /** The leader entry ({@code node}, {@code member}, {@code term}, {@code since}), or no node at term 0. */
  JsonObject current() {
    String current = map.get(KEY);
    return current == null ? new JsonObject().putNull("node").put("term", 0) : new JsonObject(current);
  }
}
