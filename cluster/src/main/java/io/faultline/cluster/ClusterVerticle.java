package io.faultline.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.engine.NodeContext;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * This node's part in the cluster. It keeps the chaos state shared: every local change is stored in a
 * Hazelcast map with a compare-and-set on its version (a concurrent change elsewhere makes it the next
 * version, so every node converges on one history) and published for the other nodes to adopt; a node
 * that starts adopts what the map holds. It registers the node and heartbeats, answers
 * {@code faultline.cluster.nodes} and {@code faultline.cluster.leader}, and follows Hazelcast's
 * membership: the oldest member leads (Hazelcast's own agreed member order, so no extra consensus), a
 * new leader raises the term, and the live node set is handed to the chaos state for node-scoped rules
 * and cluster-wide rate limits. Hazelcast calls are blocking, so they run on worker threads, in order.
 */
public final class ClusterVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(ClusterVerticle.class.getName());

  static final String STATE_MAP = "faultline.chaos";
  static final String NODES_MAP = "faultline.nodes";
  static final String LEADER_MAP = "faultline.leader";
  static final String TASKS_MAP = "faultline.tasks";
  private static final String KEY = "current";

  private final ClusterConfig config;
  private final HazelcastClusterManager manager;
  private final ChaosState state;
  private final String nodeId;
  private final Supplier<String> address;
  private final List<String> capabilities;
  private HazelcastInstance hazelcast;
  private UUID member;
  private long heartbeat = -1;
  private UUID membershipRegistration;
  private List<String> liveNodes = List.of();
  private volatile long seenTerm;
  private volatile boolean leading;
  private Tasks tasks;

  /** {@code address} is how to reach the node (its admin API); {@code capabilities} its listener protocols. */
  public ClusterVerticle(ClusterConfig config, HazelcastClusterManager manager, ChaosState state, Supplier<String> address,
      List<String> capabilities) {
    this.config = config;
    this.manager = manager;
    this.state = state;
    this.address = address;
    this.capabilities = List.copyOf(capabilities);
    this.nodeId = config.nodeId() != null ? config.nodeId() : "node-" + manager.getNodeId().substring(0, 8);
  }

  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<?> start() {
    hazelcast = manager.getHazelcastInstance();
    member = hazelcast.getCluster().getLocalMember().getUuid();
    tasks = new Tasks(hazelcast.getMap(TASKS_MAP), state, nodeId);
    answer(Addresses.TASKS_SUBMIT, body -> tasks.submit(body, liveRecords(), state.snapshot().seed()));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.LEADERSHIP, message -> {
      if (message.replyAddress() != null) {
        message.reply(new JsonObject().put("leading", leading).put("node", nodeId));
      }
    });
    answer(Addresses.TASKS_LIST, body -> new JsonObject().put("tasks", tasks.list()));
    answer(Addresses.TASKS_GET, body -> {
      String id = body == null ? null : body.getString("id");
      JsonObject task = id == null ? null : tasks.get(id);
      if (task == null) {
        throw new ChaosState.NotFound("id", "no task named " + id);
      }
      return task;
    });
    vertx.eventBus().<String>consumer(Addresses.CLUSTER_STATE, message -> adopt(message.body()));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_NODES, message -> blocking(this::nodes).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, ar.cause().getMessage());
      }
    }));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_LEADER, message -> blocking(this::leader).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, ar.cause().getMessage());
      }
    }));
    return blocking(this::join).onSuccess(v -> {
      state.replicateTo(replica -> vertx.runOnContext(x -> push(replica)));
      membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          vertx.runOnContext(x -> refresh());
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          vertx.runOnContext(x -> refresh());
        }
      });
      heartbeat = vertx.setPeriodic(config.heartbeatIntervalMs(), id -> refresh());
      LOG.info(() -> "node " + nodeId + " (" + config.region() + "/" + config.zone() + ") joined cluster " + config.name()
          + " with " + hazelcast.getCluster().getMembers().size() + " member(s)");
    });
  }

  @Override
  public Future<?> stop() {
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    state.replicateTo(null);
    return blocking(() -> {
      if (membershipRegistration != null) {
        hazelcast.getCluster().removeMembershipListener(membershipRegistration);
      }
      JsonObject self = record();
      self.put("status", "left");
      nodesMap().set(nodeId, self.encode());
      return null;
    }).otherwiseEmpty();
  }

  /** Registers this node (refusing an id a live member already uses) and takes over or seeds the shared state. */
  private Void join() {
    String existing = nodesMap().get(nodeId);
    if (existing != null) {
      String owner = new JsonObject(existing).getString("member");
      boolean live = hazelcast.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(owner));
      if (live && !owner.equals(member.toString())) {
        throw new IllegalStateException("node id " + nodeId + " is already used by a live member of cluster " + config.name()
            + "; give this node its own --node-id");
      }
    }
    nodesMap().set(nodeId, record().encode());
    IMap<String, String> shared = stateMap();
    String current = shared.get(KEY);
    if (current == null) {
      current = shared.putIfAbsent(KEY, encode(state.replica()));
    }
    if (current != null) {
      state.adopt(decode(current));
    }
    updateLeader();
    liveNodes = readLiveNodes();
    state.moveTo(context(liveNodes));
    return null;
  }

  /** Stores a local change as the cluster's next version and tells every node. */
  private void push(ChaosState.Replica replica) {
    blocking(() -> {
      IMap<String, String> shared = stateMap();
      while (true) {
        String current = shared.get(KEY);
        long currentVersion = current == null ? 0 : new JsonObject(current).getLong("version");
        ChaosState.Replica stored = replica.version() > currentVersion ? replica
            : new ChaosState.Replica(replica.config(), replica.scenario(), replica.beforeScenario(), currentVersion + 1);
        String json = encode(stored);
        boolean done = current == null ? shared.putIfAbsent(KEY, json) == null : shared.replace(KEY, current, json);
        if (done) {
          return json;
        }
      }
    }).onSuccess(json -> {
      adopt(json);
      vertx.eventBus().publish(Addresses.CLUSTER_STATE, json);
    }).onFailure(e -> LOG.warning(() -> "could not share a chaos change with the cluster: " + e.getMessage()));
  }

  private void adopt(String json) {
    state.adopt(decode(json));
  }

  /**
   * Heartbeat: refresh this node's record, follow the leader and the live node set, and put the chaos
   * state back if the shared map lost it (its owner died before a backup was made).
   */
  private void refresh() {
    blocking(() -> {
      nodesMap().set(nodeId, record().encode());
      updateLeader();
      stateMap().putIfAbsent(KEY, encode(state.replica()));
      List<String> live = readLiveNodes();
      tasks.heal();
      if (leading) {
        tasks.lead(Set.copyOf(live));
      }
      tasks.work(started -> vertx.runOnContext(x -> runItem(started[0], started[1])));
      return live;
    }).onSuccess(live -> {
      heartbeat(true);
      if (!live.equals(liveNodes)) {
        liveNodes = live;
        state.moveTo(context(live));
      }
    }).onFailure(e -> {
      heartbeat(false);
      LOG.log(java.util.logging.Level.WARNING, "node " + nodeId + ": heartbeat failed", e);
    });
  }

  private void heartbeat(boolean ok) {
    vertx.eventBus().publish(Addresses.HEARTBEAT, new JsonObject().put("ok", ok), new DeliveryOptions().setLocalOnly(true));
  }

  /**
   * The oldest member leads; when that is this node and the map names another, this node takes over with
   * a term above every term it has seen. Every node notes the terms it sees, so a new leader counts up
   * even if the leader entry was lost with the member that held it.
   */
  private void updateLeader() {
    IMap<String, String> leaders = leaderMap();
    Member oldest = hazelcast.getCluster().getMembers().iterator().next();
    boolean now = oldest.getUuid().equals(member);
    if (now != leading) {
      leading = now;
      vertx.eventBus().publish(Addresses.LEADERSHIP, new JsonObject().put("leading", now).put("node", nodeId),
          new DeliveryOptions().setLocalOnly(true));
    }
    while (true) {
      String current = leaders.get(KEY);
      if (current != null) {
        seenTerm = Math.max(seenTerm, new JsonObject(current).getLong("term"));
      }
      if (!oldest.getUuid().equals(member)
          || current != null && new JsonObject(current).getString("member").equals(member.toString())) {
        return;
      }
      long term = seenTerm + 1;
      String next = new JsonObject().put("node", nodeId).put("member", member.toString()).put("term", term)
          .put("since", System.currentTimeMillis()).encode();
      boolean done = current == null ? leaders.putIfAbsent(KEY, next) == null : leaders.replace(KEY, current, next);
      if (done) {
        seenTerm = term;
        LOG.info(() -> "node " + nodeId + " leads cluster " + config.name() + " (term " + term + ")");
        return;
      }
    }
  }

  /** Runs one task item on this node: its chaos for the task's duration, then the result. */
  private void runItem(JsonObject task, JsonObject item) {
    String id = task.getString("id");
    int index = item.getInteger("index");
    long duration = task.getLong("duration_ms");
    blocking(() -> {
      tasks.start(task, item);
      return null;
    }).onSuccess(v -> vertx.setTimer(duration, t -> blocking(() -> {
      tasks.end(id, index, "succeeded", "ran " + duration + " ms on " + nodeId);
      return null;
    }))).onFailure(e -> blocking(() -> {
      tasks.end(id, index, "failed", String.valueOf(e.getMessage()));
      return null;
    }));
  }

  /** The registry records of the live nodes (for resolving task targets). */
  private List<JsonObject> liveRecords() {
    Set<String> members = memberIds();
    return nodesMap().values().stream().map(JsonObject::new)
        .filter(n -> !"left".equals(n.getString("status")) && members.contains(n.getString("member")))
        .toList();
  }

  /** Answers a local address from a worker thread; control errors become the usual failure replies. */
  private void answer(String address, java.util.function.Function<JsonObject, JsonObject> action) {
    vertx.eventBus().<JsonObject>localConsumer(address, message -> blocking(() -> action.apply(message.body()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            message.reply(ar.result());
          } else {
            ControlError.fail(message, ar.cause());
          }
        }));
  }

  private JsonObject leader() {
    String current = leaderMap().get(KEY);
    return current == null ? new JsonObject().putNull("node").put("term", 0) : new JsonObject(current);
  }

  /** Every registered node with its status: left, failed (not a member any more), suspect (late heartbeat) or active. */
  private JsonObject nodes() {
    Set<String> members = memberIds();
    long now = System.currentTimeMillis();
    JsonArray list = new JsonArray();
    nodesMap().values().stream().map(JsonObject::new)
        .sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
        .forEach(node -> {
          String status;
          if ("left".equals(node.getString("status"))) {
            status = "left";
          } else if (!members.contains(node.getString("member"))) {
            status = "failed";
          } else if (now - node.getLong("last_heartbeat") > 3 * config.heartbeatIntervalMs()) {
            status = "suspect";
          } else {
            status = "active";
          }
          list.add(node.put("status", status));
        });
    return new JsonObject().put("cluster", config.name()).put("self", nodeId).put("nodes", list);
  }

  private List<String> readLiveNodes() {
    Set<String> members = memberIds();
    List<String> live = new ArrayList<>();
    for (String json : nodesMap().values()) {
      JsonObject node = new JsonObject(json);
      if (!"left".equals(node.getString("status")) && members.contains(node.getString("member"))) {
        live.add(node.getString("id"));
      }
    }
    if (!live.contains(nodeId)) {
      live.add(nodeId);
    }
    live.sort(String::compareTo);
    return List.copyOf(live);
  }

  private Set<String> memberIds() {
    return hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString()).collect(Collectors.toSet());
  }

  private NodeContext context(List<String> live) {
    return new NodeContext(nodeId, config.region(), config.zone(), live);
  }

  private JsonObject record() {
    return new JsonObject()
        .put("id", nodeId)
        .put("address", address.get())
        .put("region", config.region())
        .put("zone", config.zone())
        .put("capabilities", new JsonArray(capabilities))
        .put("member", member.toString())
        .put("last_heartbeat", System.currentTimeMillis())
        .put("status", "active");
  }

  private IMap<String, String> stateMap() {
    return hazelcast.getMap(STATE_MAP);
  }

  private IMap<String, String> nodesMap() {
    return hazelcast.getMap(NODES_MAP);
  }

  private IMap<String, String> leaderMap() {
    return hazelcast.getMap(LEADER_MAP);
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, true);
  }

  static String encode(ChaosState.Replica replica) {
    JsonObject json = new JsonObject()
        .put("version", replica.version())
        .put("config", new JsonObject(ChaosJson.toMap(replica.config())))
        .put("scenario", replica.scenario());
    if (replica.beforeScenario() != null) {
      json.put("before_scenario", new JsonObject(ChaosJson.toMap(replica.beforeScenario())));
    }
    return json.encode();
  }

  static ChaosState.Replica decode(String text) {
    JsonObject json = new JsonObject(text);
    JsonObject before = json.getJsonObject("before_scenario");
    return new ChaosState.Replica(config(json.getJsonObject("config")), json.getString("scenario"),
        before == null ? null : config(before), json.getLong("version"));
  }

  private static ChaosConfig config(JsonObject json) {
    return ChaosJson.config(json.getMap());
  }
}
