package io.faultline.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.engine.NodeContext;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * This node's part in the cluster. It keeps the chaos state shared: every local change is stored in a
 * Hazelcast map with a compare-and-set on its version (a concurrent change elsewhere makes it the next
 * version, merged over the other, so every node converges on one history that keeps both), and a notice tells the other nodes to read it back
 * and adopt it once it passes the same checks as a PUT ({@link SharedChaos}); a node that starts adopts
 * what the map holds. It registers the node and heartbeats, answers
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
  static final String SCENARIOS_MAP = "faultline.scenarios";

  private final ClusterConfig config;
  private final HazelcastClusterManager manager;
  private final ChaosState state;
  private final String nodeId;
  private final Supplier<String> address;
  private final List<String> capabilities;
  private HazelcastInstance hazelcast;
  private volatile UUID member;
  /** What the shared map held at the last heartbeat. */
  private volatile SharedChaos.Entry agreed;
  /**
   * The latest switch-off this node's state knows of ({@link SharedChaos.Entry#offStamp}), from the states it took from
   * the cluster or stored there.
   */
  private volatile long knownOff;
  /** This node's state when {@link #agreed} was read, if no local change was on its way to the cluster then (else null). */
  private volatile ChaosState.Replica agreedAgainst;
  private long heartbeat = -1;
  private UUID membershipRegistration;
  private List<String> liveNodes = List.of();
  private Leadership leadership;
  private Tasks tasks;
  private TaskRunner runner;
  private TaskRunner.BusChaos taskChaos;
  /** A settled task whose putting back of the chaos switch waits for an orchestration's run to end (event loop only). */
  private String heldBack;
  private NodeRegistry registry;
  private SharedChaos shared;
  /** Local changes the cluster could not store, oldest first, offered again at each heartbeat (changed in {@link #blocking} work only). */
  private final java.util.concurrent.ConcurrentLinkedDeque<Unshared> unshared = new java.util.concurrent.ConcurrentLinkedDeque<>();
  private SharedScenarios scenarios;

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
    leadership = new Leadership(hazelcast, hazelcast.getMap(LEADER_MAP), nodeId);
    registry = new NodeRegistry(hazelcast.getMap(NODES_MAP), this::memberIds, config.heartbeatIntervalMs());
    shared = new SharedChaos(hazelcast.getMap(STATE_MAP));
    scenarios = new SharedScenarios(hazelcast.getMap(SCENARIOS_MAP));
    // saved scenarios are the cluster's: a save or delete here is stored there, and every other node keeps it too
    vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.SCENARIO_STORED, message ->
        shareScenario(message.body().getString("name"), message.body().getJsonObject("scenario"), System.currentTimeMillis()));
    vertx.eventBus().<JsonObject>consumer(InternalAddresses.CLUSTER_SCENARIO, message -> {
      String name = message.body().getString("name");
      if (name == null || nodeId.equals(message.body().getString("node"))) {
        return; // this node's own change: kept here already
      }
      blocking(() -> scenarios.get(name)).onSuccess(entry -> {
        if (entry != null) {
          adoptScenarios(Map.of(name, entry));
        }
      });
    });
    taskChaos = new TaskRunner.BusChaos(vertx);
    tasks = new Tasks(hazelcast.getMap(TASKS_MAP), state, taskChaos, nodeId);
    runner = new TaskRunner(vertx, tasks, nodeId, this::blocking);
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TASKS_SUBMIT, message -> submit(message.body()).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        ControlError.fail(message, ar.cause());
      }
    }));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.LEADERSHIP, message -> {
      if (message.replyAddress() != null) {
        message.reply(new JsonObject().put("leading", leadership.leading()).put("node", nodeId));
      }
    });
    answer(Addresses.TASKS_LIST, body -> new JsonObject().put("tasks", tasks.list()));
    answer(Addresses.TASKS_GET, body -> found(taskId(body, "show"), tasks::get));
    answer(Addresses.TASKS_DELETE, body -> found(taskId(body, "delete"), tasks::delete));
    answer(Addresses.TASKS_CANCEL, body -> {
      JsonObject task = tasks.cancel(body == null ? null : body.getString("id"));
      vertx.eventBus().publish(InternalAddresses.TASK_CANCELLED, new JsonObject().put("task", task.getString("id")));
      return task;
    });
    // every node ends its running items of a cancelled task at once (and at each heartbeat, should it miss this)
    vertx.eventBus().consumer(InternalAddresses.TASK_CANCELLED, message -> endCancelled());
    // the kill switch, pressed on this node by anyone but a task, cancels the running tasks, as it stops an
    // orchestration: a task's next item (a sequential task's, a requeued one) switched chaos on again
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CHAOS_CHANGED, message -> {
      JsonObject change = message.body().getJsonObject("change");
      if (change != null && io.faultline.chaos.control.ChangeLog.killSwitch(change)) {
        cancelTasks("chaos was switched off on node " + nodeId + " (" + change.getString("source") + ")");
      }
    });
    // A notice only: the agreed state is read back from the shared map, checked, then adopted.
    vertx.eventBus().consumer(InternalAddresses.CLUSTER_STATE, message -> blocking(shared::current).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning(() -> "node " + nodeId + " refused the cluster's chaos state: " + ar.cause());
      } else if (ar.result() != null && state.adopt(ar.result().replica())) {
        took(ar.result());
      }
    }));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_NODES, message -> {
      // read afresh, off the heartbeats' queue; if the map does not answer within two heartbeats (a member hangs and
      // holds its partitions), the records as last read, with their statuses now: the hung node shows as suspect
      io.vertx.core.Promise<JsonObject> answer = io.vertx.core.Promise.promise();
      long late = vertx.setTimer(2 * config.heartbeatIntervalMs(), id -> answer.tryComplete(new JsonObject().put("cluster", config.name())
          .put("self", nodeId).put("nodes", registry.lastReadWithStatuses(System.currentTimeMillis(), nodeId))));
      vertx.executeBlocking(this::nodes, false).onComplete(ar -> {
        vertx.cancelTimer(late);
        if (ar.succeeded()) {
          answer.tryComplete(ar.result());
        } else {
          answer.tryFail(ar.cause());
        }
      });
      answer.future().onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          message.fail(500, ar.cause().getMessage());
        }
      });
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_LEADER, message -> blocking(leadership::current).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, ar.cause().getMessage());
      }
    }));
    return runner.start().compose(v -> blocking(this::join)).onSuccess(v -> {
      state.replicateTo((base, replica) -> context.runOnContext(x -> push(base, replica)));
      membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          context.runOnContext(x -> refresh());
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          context.runOnContext(x -> refresh());
        }
      });
      heartbeat = vertx.setPeriodic(config.heartbeatIntervalMs(), id -> refresh());
      LOG.info(() -> "node " + nodeId + " (" + config.region() + "/" + config.zone() + ") joined cluster " + config.name()
          + " with " + hazelcast.getCluster().getMembers().size() + " member(s)");
      if (!io.faultline.chaos.config.Hosts.loopback(config.host())) {
        LOG.warning(() -> "the cluster ports listen on " + config.host() + ": they carry no authentication (Hazelcast's open "
            + "source edition has none), so anyone who reaches them can join and drive every node, admin token or not. "
            + "Keep them on a private network, or behind a firewall that admits only the members.");
      }
    });
  }

  @Override
  public Future<?> stop() {
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    // after the changes on their way to the cluster (blocking work runs in order): their callers hear whether it stored
    // them, and those it could not store before are offered once more. Replication stopped first, they were answered
    // stored at once, and the unstored ones were dropped unsaid, the node taking the cluster's state at its next start
    return blocking(() -> {
      try {
        shareUnshared();
      } catch (RuntimeException e) {
        LOG.warning(() -> "node " + nodeId + " stops with " + unshared.size() + " chaos change(s) the cluster could not store;"
            + " they are lost with it: " + e.getMessage());
      }
      if (membershipRegistration != null) {
        hazelcast.getCluster().removeMembershipListener(membershipRegistration);
      }
      JsonObject self = record();
      self.put("status", "left");
      registry.put(self);
      return null;
    }).otherwiseEmpty().andThen(v -> state.replicateTo(null));
  }

  /** Registers this node (refusing an id a live member already uses) and takes over or seeds the shared state. */
  private Void join() {
    JsonObject existing = registry.get(nodeId);
    if (existing != null) {
      String owner = existing.getString("member");
      boolean live = hazelcast.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(owner));
      if (live && !owner.equals(member.toString())) {
        throw new IllegalStateException("node id " + nodeId + " is already used by a live member of cluster " + config.name()
            + "; give this node its own --node-id");
      }
    }
    registry.put(record());
    SharedChaos.Entry current = shared.current();
    SharedChaos.Entry taken = current != null ? current : shared.seed(state.replica());
    state.adopt(taken.replica());
    took(taken);
    // this node's saved scenarios the cluster knows nothing of join it; then the node keeps what the cluster holds
    long now = System.currentTimeMillis();
    state.savedScenarios().forEach(s -> scenarios.offer(s.name(), io.faultline.chaos.control.ChaosControlVerticle.scenarioJson(s), now));
    Map<String, JsonObject> held = scenarios.all();
    context.runOnContext(v -> adoptScenarios(held));
    updateLeader();
    liveNodes = registry.liveIds(nodeId);
    state.moveTo(context(liveNodes));
    return null;
  }

  /** Keeps the cluster's saved scenarios {@code entries} ({@code {"at", "scenario"}} by name) on this node, stored in its state dir. */
  private void adoptScenarios(Map<String, JsonObject> entries) {
    JsonArray put = new JsonArray();
    JsonArray remove = new JsonArray();
    entries.forEach((name, entry) -> {
      JsonObject scenario = entry.getJsonObject("scenario");
      if (scenario == null) {
        remove.add(name);
      } else {
        put.add(scenario);
      }
    });
    if (!put.isEmpty() || !remove.isEmpty()) {
      vertx.eventBus().request(InternalAddresses.SCENARIOS_ADOPT, new JsonObject().put("put", put).put("remove", remove))
          .onFailure(e -> LOG.warning(() -> "node " + nodeId + " could not keep the cluster's saved scenarios: " + e.getMessage()));
    }
  }

  /**
   * Saved scenarios this node changed and the cluster could not store (Hazelcast failing the write), by name, each
   * the latest change of it with its time: offered again at each heartbeat. One was logged and then lost, on this
   * node only until its restart, and a delete left the scenario on every other node.
   */
  private final Map<String, JsonObject> unsharedScenarios = new java.util.LinkedHashMap<>();

  /** Stores a save ({@code scenario}) or delete (null) of saved scenario {@code name} made at {@code at}; on this verticle's context. */
  private void shareScenario(String name, JsonObject scenario, long at) {
    blocking(() -> scenarios.store(name, scenario, at)).onComplete(ar -> {
      if (ar.failed()) {
        boolean again = unsharedScenarios.containsKey(name);
        JsonObject pending = unsharedScenarios.get(name);
        if (pending == null || pending.getLong("at") <= at) {
          unsharedScenarios.put(name, new JsonObject().put("scenario", scenario).put("at", at));
        }
        if (!again) {
          LOG.warning(() -> "node " + nodeId + " could not share saved scenario " + name + " (offered again at each heartbeat): "
              + ar.cause());
        }
        return;
      }
      JsonObject pending = unsharedScenarios.get(name);
      if (pending != null && pending.getLong("at") <= at) {
        unsharedScenarios.remove(name);
      }
      if (ar.result()) {
        vertx.eventBus().publish(InternalAddresses.CLUSTER_SCENARIO, new JsonObject().put("name", name).put("node", nodeId));
      } else {
        // the cluster holds a later change of it (saved on a node whose clock is ahead): this node takes that one, as
        // every other node has, where it kept its own and a start of it did different things on different nodes
        LOG.warning(() -> "node " + nodeId + ": the cluster holds a later change of scenario " + name + "; keeping the cluster's");
        blocking(() -> scenarios.get(name)).onSuccess(entry -> {
          if (entry != null) {
            adoptScenarios(Map.of(name, entry));
          }
        });
      }
    });
  }

  /** Cancels the running tasks, saying {@code why}, as the kill switch does. */
  private void cancelTasks(String why) {
    blocking(() -> tasks.cancelRunning(why)).onSuccess(ids -> ids.forEach(id -> {
      LOG.warning(() -> "task " + id + " cancelled: " + why);
      vertx.eventBus().publish(InternalAddresses.TASK_CANCELLED, new JsonObject().put("task", id));
    }));
  }

  /** This node's state is {@code entry}'s now (taken or stored): the switch-off it knows of is at least that one's. */
  private void took(SharedChaos.Entry entry) {
    knownOff = Math.max(knownOff, entry.offStamp());
  }

  /**
   * Whether the cluster's state {@code entry} and this node's differ by a switch-off the other did not know of: a healed
   * split's other side, whose map Hazelcast kept (or whose node is to put its state back over this side's), switched
   * chaos on, or left it on, without the kill switch pressed on this side, or this side without that side's. Taken or
   * stored by version alone, the kill switch was undone on every node at the heartbeat after the heal, without a word.
   */
  private boolean unseenSwitchOff(SharedChaos.Entry entry) {
    boolean theirsOn = entry.replica().config().enabled();
    boolean mineOn = state.replica().config().enabled();
    return theirsOn && !mineOn && entry.offStamp() < knownOff && entry.replica().version() >= state.version()
        || !theirsOn && mineOn && entry.offStamp() > knownOff && entry.replica().version() <= state.version();
  }

  /**
   * Stores, switched off, the state the version would keep (the cluster's when it is as new or newer, this node's when it
   * is newer), and ends the running tasks, as the kill switch did on its own side (the other side's tasks never heard of
   * it). Stored on the cluster's state as read, so a change stored since is merged with it, not lost.
   */
  private void keepSwitchedOff(SharedChaos.Entry entry) {
    ChaosState.Replica theirs = entry.replica();
    ChaosState.Replica mine = state.replica();
    ChaosState.Replica kept = theirs.version() >= mine.version() ? theirs : mine;
    // a version past both, so no node holds another state of its number
    ChaosState.Replica off = new ChaosState.Replica(kept.config().withEnabled(false), kept.scenario(), kept.beforeScenario(),
        Math.max(theirs.version(), mine.version()) + 1);
    String why = "chaos was switched off on the other side of a split that healed";
    blocking(() -> shared.store(theirs, off)).onSuccess(stored -> {
      state.adopt(stored.replica());
      took(stored);
      vertx.eventBus().publish(InternalAddresses.CLUSTER_STATE, new JsonObject().put("version", stored.replica().version()));
      LOG.warning(() -> "node " + nodeId + " kept chaos switched off: the cluster's state, version " + theirs.version()
          + ", and this node's, version " + mine.version() + ", met after a split, and chaos was switched off on one side"
          + " without the other knowing; stored off as version " + stored.replica().version() + ". Switch chaos on again if it is"
          + " still wanted");
      cancelTasks(why);
    }).onFailure(e -> LOG.warning(() -> "node " + nodeId + " could not keep chaos switched off after a healed split (tried"
        + " again next heartbeat): " + e.getMessage()));
  }

  /** Whether this node's state is still {@code before} (read with the cluster's) and no local change is on its way. */
  private boolean unchangedSince(ChaosState.Replica before) {
    if (before == null || !state.settled()) {
      return false;
    }
    ChaosState.Replica now = state.replica();
    return now.version() == before.version() && now.config().equals(before.config());
  }

  /**
   * Stores a local change (made on {@code base}) as the cluster's next version, merged with any change
   * another node stored meanwhile, takes what was stored, and tells every node to read it.
   */
  private void push(ChaosState.Replica base, ChaosState.Replica replica) {
    blocking(() -> share(base, replica)).onSuccess(stored -> {
      state.shared(stored.replica());
      took(stored);
      vertx.eventBus().publish(InternalAddresses.CLUSTER_STATE, new JsonObject().put("version", stored.replica().version()));
    }).onFailure(e -> {
      state.notShared(e);
      LOG.warning(() -> "node " + nodeId + " could not share a chaos change with the cluster (offered again at each heartbeat): "
          + e.getMessage());
    });
  }

  /**
   * Stores a local change (in {@link #blocking} work, in order with every other store), after those the cluster could not store
   * before ({@link #unshared}, oldest first): each is merged into what the cluster holds as it was made, on its own base,
   * so one this node then lost locally (it took another node's newer state meanwhile) is kept too. One that fails is
   * kept for the heartbeat to offer again: it was applied here and answered, and it stayed on this node only, lost for
   * good when another node's change of the same version came (nodes take an equal version of other config).
   */
  private SharedChaos.Entry share(ChaosState.Replica base, ChaosState.Replica replica) {
    try {
      shareUnshared();
      return shared.store(base, replica);
    } catch (io.faultline.chaos.config.ChaosConfigException refused) {
      throw refused; // merged with what the cluster holds, it is no config (past 1,000 rules): never stored, not offered again
    } catch (RuntimeException e) {
      Unshared last = unshared.peekLast();
      if (last != null && same(last.replica(), base)) {
        unshared.pollLast(); // made on the one before it: the two go as one change from the first's base
        unshared.add(new Unshared(last.base(), replica));
      } else {
        unshared.add(new Unshared(base, replica));
      }
      throw e;
    }
  }

  /** Stores the changes the cluster could not before, oldest first; answers what the last stored (null: none waited). */
  private SharedChaos.Entry shareUnshared() {
    SharedChaos.Entry stored = null;
    for (Unshared next = unshared.peek(); next != null; next = unshared.peek()) {
      try {
        stored = shared.store(next.base(), next.replica());
      } catch (io.faultline.chaos.config.ChaosConfigException refused) {
        // merged with what other nodes stored meanwhile it is no config (their rules and its own past 1,000): it can never be
        // stored, and offered again it failed every later change of this node too, for good
        LOG.warning(() -> "node " + nodeId + " drops a chaos change the cluster could not store before: merged with the other nodes'"
            + " changes since, it is refused (" + refused.field() + ": " + refused.getMessage() + ")");
      }
      unshared.poll();
    }
    return stored;
  }

  private static boolean same(ChaosState.Replica a, ChaosState.Replica b) {
    return a.version() == b.version() && a.config().equals(b.config());
  }

  /** A local change the cluster has not stored: the state it was made on, and the state it made. */
  private record Unshared(ChaosState.Replica base, ChaosState.Replica replica) {
  }


  /**
   * Heartbeat: refresh this node's record, follow the leader and the live node set, and put the chaos
   * state back if the shared map lost it (its owner died before a backup was made).
   */
  private void refresh() {
    Map.copyOf(unsharedScenarios).forEach((name, pending) ->
        shareScenario(name, pending.getJsonObject("scenario"), pending.getLong("at")));
    if (!unshared.isEmpty()) {
      blocking(this::shareUnshared).onSuccess(stored -> {
        if (stored != null) {
          state.adopt(stored.replica());
          took(stored);
          vertx.eventBus().publish(InternalAddresses.CLUSTER_STATE, new JsonObject().put("version", stored.replica().version()));
          LOG.info(() -> "node " + nodeId + " shared a chaos change the cluster could not store before, as version "
              + stored.replica().version());
        }
      }).onFailure(e -> LOG.warning(() -> "node " + nodeId + " still cannot share a chaos change with the cluster: " + e.getMessage()));
    }
    blocking(() -> {
      // a member that Hazelcast merged back after it was cut off (a long GC pause, a frozen VM) has a new UUID:
      // recorded under the old one, the node stayed "failed" for good and out of the live set
      member = hazelcast.getCluster().getLocalMember().getUuid();
      registry.put(record());
      updateLeader();
      ChaosState.Replica mine = state.replica();
      agreedAgainst = state.settled() ? mine : null;
      try {
        agreed = shared.seed(mine);
      } catch (io.faultline.chaos.config.ChaosConfigException refused) {
        agreed = null; // an entry no node may adopt (refused, and logged, where notices are taken): the heartbeat goes on
      }
      List<String> live = registry.liveIds(nodeId);
      tasks.heal();
      if (leadership.leading()) {
        List<String> forgotten = registry.forgetGone(System.currentTimeMillis(), config.forgetAfterMs());
        if (!forgotten.isEmpty()) {
          LOG.info(() -> "node " + nodeId + " forgot the records of " + forgotten + ": left or failed more than "
              + config.forgetAfterMs() + " ms ago (cluster.forget_after_ms)");
        }
        Tasks.Led led = tasks.lead(Set.copyOf(live));
        context.runOnContext(x -> settle(led));
      }
      tasks.work(started -> context.runOnContext(x -> runner.run(started[0], started[1])));
      Tasks.Going going = tasks.going(); // read after work: the items it just started are among them
      cancelled(going.cancelledHere());
      context.runOnContext(x -> vertx.eventBus().publish(InternalAddresses.TASK_ITEMS, new JsonObject().put("items", going.items()),
          new DeliveryOptions().setLocalOnly(true)));
      return live;
    }).onSuccess(live -> {
      heartbeat(true);
      // the cluster's state, if this node missed a change (cut off while it was made, its notice lost): caught
      // up at the next heartbeat, not at the next change, which may never come
      SharedChaos.Entry entry = agreed;
      ChaosState.Replica current = entry == null ? null : entry.replica();
      if (current != null && unseenSwitchOff(entry)) {
        if (unchangedSince(agreedAgainst) && unshared.isEmpty()) { // else looked at again next heartbeat
          keepSwitchedOff(entry);
        }
      } else if (current != null && current.version() > state.version() && state.adopt(current)) {
        took(entry);
        LOG.info(() -> "node " + nodeId + " caught up with the cluster's chaos state, version " + current.version());
      } else if (current != null && current.version() == state.version() && unchangedSince(agreedAgainst) && unshared.isEmpty()
          && state.adopt(current)) {
        took(entry);
        // a healed split whose two sides each made as many changes: the map holds the other side's state at this node's
        // version, and neither newer nor older, it was never taken, the two sides running different chaos for good
        LOG.info(() -> "node " + nodeId + " took the cluster's chaos state of its own version " + current.version()
            + ", which held other chaos (a healed split)");
      } else if (current != null && current.version() < state.version() && unchangedSince(agreedAgainst) && unshared.isEmpty()) {
        // the cluster holds an older state than this node's: a split healed, and Hazelcast kept the map of the
        // side that missed the changes. The newest wins: this node's goes back to the map, and to every node.
        // Not when this node changed during the read (its change was on its way, or came after): the map was only
        // read before it was stored, and putting this node's state back re-applied its change over another node's.
        ChaosState.Replica mine = state.replica();
        blocking(() -> shared.store(current, mine)).onSuccess(stored -> {
          state.adopt(stored.replica());
          took(stored);
          vertx.eventBus().publish(InternalAddresses.CLUSTER_STATE, new JsonObject().put("version", stored.replica().version()));
          LOG.info(() -> "node " + nodeId + " put its chaos state, version " + stored.replica().version() + ", back to the cluster, which held version "
              + current.version());
        });
      }
      if (!live.equals(liveNodes)) {
        liveNodes = live;
        state.moveTo(context(live));
      }
    }).onFailure(e -> {
      heartbeat(false);
      LOG.log(java.util.logging.Level.WARNING, "node " + nodeId + ": heartbeat failed", e);
    });
  }

  /**
   * Puts the chaos switch back for the tasks that just settled. One an orchestration's run held back (the run's
   * end says whose the switch is: the tasks', or a user's) is tried again on each turn while no task runs, until
   * that run has ended.
   */
  private void settle(Tasks.Led led) {
    List<String> ids = !led.settled().isEmpty() ? led.settled()
        : led.running() || heldBack == null ? List.of() : List.of(heldBack);
    if (!led.settled().isEmpty()) {
      heldBack = null;
    }
    for (String id : ids) {
      taskChaos.settle(id).onSuccess(held -> heldBack = held ? id : id.equals(heldBack) ? null : heldBack)
          .onFailure(e -> LOG.warning(() -> "task " + id + ": could not put the chaos switch back: " + e.getMessage()));
    }
  }

  private void endCancelled() {
    blocking(tasks::cancelledHere).onSuccess(this::cancelled);
  }

  private void cancelled(List<JsonObject[]> items) {
    items.forEach(pair -> context.runOnContext(x -> runner.cancel(pair[0], pair[1])));
  }

  private void heartbeat(boolean ok) {
    vertx.eventBus().publish(InternalAddresses.HEARTBEAT, new JsonObject().put("ok", ok), new DeliveryOptions().setLocalOnly(true));
  }

  /** Follows the leader; tells this node's orchestrator when its role changed. */
  private void updateLeader() {
    if (leadership.update()) {
      vertx.eventBus().publish(Addresses.LEADERSHIP, new JsonObject().put("leading", leadership.leading()).put("node", nodeId),
          new DeliveryOptions().setLocalOnly(true));
    }
  }

  /**
   * A task submission: read, its orchestration (if it has one) checked by this node's orchestrator, then
   * stored against the live nodes.
   */
  private Future<JsonObject> submit(JsonObject body) {
    TaskSpec spec;
    try {
      spec = TaskSpec.read(body);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Future<TaskSpec> checked = spec.orchestration() == null ? Future.succeededFuture(spec)
        : vertx.eventBus().<JsonObject>request(InternalAddresses.TASK_ORCHESTRATION_CHECK,
            new JsonObject().put("orchestration", spec.orchestration())).map(reply -> spec.withResolved(reply.body()));
    return checked.compose(s -> blocking(() -> tasks.submit(s, registry.liveRecords(), state.snapshot().seed())));
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

  /** Every registered node with its status: left, failed (not a member any more), suspect (late heartbeat) or active. */
  private JsonObject nodes() {
    return new JsonObject().put("cluster", config.name()).put("self", nodeId).put("nodes", registry.withStatuses(System.currentTimeMillis(), nodeId));
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

  /**
   * Runs {@code work} on a worker, after the blocking work this verticle queued before it: on its own context, whoever
   * calls (a push handed over from the control verticle's thread, a Hazelcast membership event), so that stores, the
   * heartbeat's and the retries of {@link #unshared} never overlap.
   */
  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return context.executeBlocking(work, true);
  }

  /** The task id a request names; a script that forgets it is told so, not answered "no task named null". */
  private static String taskId(JsonObject body, String purpose) {
    Object given = body == null ? null : body.getValue("id");
    if (!(given instanceof String id) || id.isEmpty()) {
      throw new io.faultline.chaos.config.ChaosConfigException("id", "is required: the task to " + purpose);
    }
    return id;
  }

  /** What {@code action} answers for task {@code id}; 404 when it answers null (no such task). */
  private static JsonObject found(String id, java.util.function.Function<String, JsonObject> action) {
    JsonObject task = action.apply(id);
    if (task == null) {
      throw new ChaosState.NotFound("id", "no task named " + id);
    }
    return task;
  }
}
