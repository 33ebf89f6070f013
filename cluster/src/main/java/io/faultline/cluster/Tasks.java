package io.faultline.cluster;

import com.hazelcast.map.IMap;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.control.Ids;
import io.faultline.chaos.control.TaskRules;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Distributed tasks: a scenario (or an inline chaos config) run for {@code duration_seconds}, or an
 * orchestration run to its end, on target nodes, as one item per target, under a coordination mode. The
 * task lives in a Hazelcast map, so it outlives the node that submitted it; the leader drives it on each
 * heartbeat and the nodes run what is theirs ({@link TaskRunner}):
 * <ul>
 *   <li>{@code parallel}: every item is handed to its node at once;</li>
 *   <li>{@code sequential}: one item after another ({@code stop_on_failure} skips the rest after a failure);</li>
 *   <li>{@code leader_assigned}: the leader hands items to target nodes and hands an item of a node that
 *       died to another live target;</li>
 *   <li>{@code peer_to_peer}: target nodes claim pending items themselves; an item whose claimer died
 *       goes back to the queue.</li>
 * </ul>
 * An item's chaos is the rule {@code task:ID:INDEX} scoped to its node (so only it misbehaves), put through
 * the control addresses like any other change (so it is published on {@code faultline.chaos.changed} and
 * logged with source {@code task:ID}), chaos switched on; an orchestration item's run puts it again at
 * each step. In {@code parallel} and {@code sequential}, an item whose node died fails. All map updates
 * are compare-and-set, from worker threads.
 */
final class Tasks {

  private static final Set<String> DONE = Set.of("succeeded", "failed", "skipped", "cancelled");
  /** How long a deleted task's tombstone stays in the map: every node's {@link #heal} sees it before it goes. */
  static final long TOMBSTONE_MS = 60_000;
  /** What an orchestration item records of its run. */
  static final List<String> RUN_FIELDS = List.of("run_id", "run_status", "report");

  /** How a task's chaos reaches the node: through the control addresses, so every change is published and logged. */
  interface Chaos {

    /** Puts {@code rule} for task {@code taskId} and switches chaos on if it is off. */
    io.vertx.core.Future<Void> apply(JsonObject rule, String taskId);

    /** Removes the rule named {@code rule} (nothing when it is gone already). */
    void remove(String rule, String taskId);
  }

  private final IMap<String, String> map;
  private final ChaosState state;
  private final Chaos chaos;
  private final String self;
  /** The last version of each task this node saw, to put back a task the map lost with a dying member. */
  private final java.util.concurrent.ConcurrentHashMap<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code state} is read only (scenarios, to resolve a task's sections); changes go through {@code chaos}. */
  Tasks(IMap<String, String> map, ChaosState state, Chaos chaos, String self) {
    this.map = map;
    this.state = state;
    this.chaos = chaos;
    this.self = self;
  }

  /**
   * Stores a submission ({@link TaskSpec#read}, its orchestration {@link TaskSpec#resolved} when it has one)
   * once its scenario or sections are valid and its targets resolve against the live nodes; answers the
   * stored task.
   */
  JsonObject submit(TaskSpec spec, List<JsonObject> liveNodes, long seed) {
    if (spec.orchestration() != null && spec.resolved() == null) {
      throw new IllegalStateException("an orchestration task is stored once the orchestrator checked its orchestration");
    }
    JsonObject sections = spec.orchestration() != null ? null
        : spec.scenario() != null ? new JsonObject(ChaosJson.toMap(state.find(spec.scenario()).config())) : spec.config();
    if (sections != null) {
      ChaosJson.convert(sections.getMap(), ChaosConfig.class, "config"); // refuses bad sections before anything runs
    }
    List<String> targets = spec.pick(liveNodes, seed);
    String id = spec.id() != null ? spec.id() : Ids.next("task");
    boolean p2p = spec.mode().equals("peer_to_peer");
    JsonArray items = new JsonArray();
    for (int i = 0; i < targets.size(); i++) {
      items.add(new JsonObject().put("index", i).put("node", p2p ? null : targets.get(i)).put("state", "pending").put("attempts", 0));
    }
    JsonObject task = new JsonObject()
        .put("id", id)
        .put("mode", spec.mode())
        .put("scenario", spec.scenario())
        .put("sections", sections)
        .put("orchestration", spec.resolved())
        .put("duration_ms", spec.durationSeconds() == null ? null : (long) (spec.durationSeconds() * 1000))
        .put("stop_on_failure", spec.stopOnFailure())
        .put("targets", new JsonArray(targets))
        .put("submitted_by", self)
        .put("created_at", System.currentTimeMillis())
        .put("status", "running")
        .put("items", items);
    String existing = map.putIfAbsent(id, task.encode());
    if (existing != null && !(deleted(existing) && map.replace(id, existing, task.encode()))) {
      JsonObject other = deleted(existing) ? null : new JsonObject(existing);
      throw new io.faultline.chaos.control.ControlError.Conflict("id", "a task named " + id + " exists already"
          + (other == null || !other.getBoolean("settled", false) ? ""
          : " (it has ended, " + other.getString("status") + ": DELETE /api/cluster/tasks/" + id + " to reuse its id)"));
    }
    seen.put(id, task.encode());
    return task;
  }

  JsonArray list() {
    JsonArray tasks = new JsonArray();
    map.values().stream().filter(t -> !deleted(t)).map(JsonObject::new).sorted((a, b) -> Long.compare(a.getLong("created_at"), b.getLong("created_at")))
        .forEach(tasks::add);
    return tasks;
  }

  JsonObject get(String id) {
    String task = map.get(id);
    return task == null || deleted(task) ? null : new JsonObject(task);
  }

  /**
   * Deletes task {@code id} once it has ended and settled (its chaos put back); answers it as it was, or null when
   * there is none. It leaves a tombstone for {@link #TOMBSTONE_MS}, so no node's {@link #heal} puts it back.
   */
  JsonObject delete(String id) {
    while (true) {
      String current = map.get(id);
      if (current == null || deleted(current)) {
        return null;
      }
      JsonObject task = new JsonObject(current);
      if (!task.getBoolean("settled", false)) {
        throw new io.faultline.chaos.control.ControlError.Conflict("id", "task " + id + (task.getString("status").equals("running")
            ? " is running: cancel it first (POST /api/cluster/tasks/" + id + "/cancel), then delete it once it has ended"
            : " is ending (" + task.getString("status") + ", its items being put back): delete it once it has settled"));
      }
      String tombstone = new JsonObject().put("deleted", true).put("id", id).put("deleted_at", System.currentTimeMillis()).encode();
      if (map.replace(id, current, tombstone)) {
        seen.put(id, tombstone);
        return task;
      }
    }
  }

  /** Whether {@code encoded} is a deleted task's tombstone. */
  private static boolean deleted(String encoded) {
    return encoded.startsWith("{\"deleted\":true");
  }

  /** Puts back tasks this node knows that the map lost, and notes the current versions of the others. */
  void heal() {
    Map<String, String> current = new java.util.HashMap<>(map);
    seen.forEach((id, task) -> {
      if (!current.containsKey(id)) {
        if (deleted(task)) {
          seen.remove(id, task); // its tombstone has gone: nothing to put back
        } else {
          map.putIfAbsent(id, task);
        }
      }
    });
    seen.putAll(current);
  }

  /**
   * The leader's turn: hand out items, react to dead nodes, close finished tasks. Answers the tasks that
   * have just settled (ended, succeeded, failed or cancelled, with no item still running), each once, for
   * the chaos switch to be put back ({@link TaskRunner.BusChaos#settle}); none while another task runs,
   * as it may need the switch on.
   */
  Led lead(Set<String> live) {
    Set<String> allSettled = new java.util.LinkedHashSet<>();
    boolean anyRunning = false;
    for (String id : map.keySet()) {
      String encoded = map.get(id);
      if (encoded != null && deleted(encoded)) {
        if (System.currentTimeMillis() - new JsonObject(encoded).getLong("deleted_at") > TOMBSTONE_MS) {
          map.remove(id, encoded);
        }
        continue;
      }
      // what this task's last attempt found: an attempt whose write lost to a node's end took the task for running, and
      // the retry that settled it then went unreported, the switch never put back
      boolean[] taskRunning = new boolean[1];
      Set<String> taskSettled = new java.util.LinkedHashSet<>();
      boolean stands = update(id, task -> {
        taskRunning[0] = false;
        taskSettled.clear();
        if (!task.getString("status").equals("running")) {
          // a cancelled task's part still running on a node that died: no one else will end it, so it ends here
          boolean ended = false;
          for (Object o : task.getJsonArray("items")) {
            JsonObject item = (JsonObject) o;
            if (lostWithItsNode(item, live)) {
              endLost(task, item, "cancelled", "node " + item.getString("node") + " failed before it ended its part");
              ended = true;
            }
          }
          JsonObject settledNow = settle(task, taskSettled, taskRunning);
          return settledNow != null || !ended ? settledNow : task;
        }
        String mode = task.getString("mode");
        JsonArray items = task.getJsonArray("items");
        List<String> targets = task.getJsonArray("targets").stream().map(String::valueOf).toList();
        for (int i = 0; i < items.size(); i++) {
          JsonObject item = items.getJsonObject(i);
          String node = item.getString("node");
          if (lostWithItsNode(item, live)) {
            if (mode.equals("parallel") || mode.equals("sequential")) {
              endLost(task, item, "failed", "node " + node + " failed before finishing");
            } else {
              removeRule(task, item);
              item.put("state", "pending").put("node", null).put("result", "node " + node + " failed; back in the queue");
              RUN_FIELDS.forEach(item::remove); // the next attempt is a new run
            }
          }
        }
        switch (mode) {
          case "parallel" -> items.forEach(o -> assignIfPending((JsonObject) o, ((JsonObject) o).getString("node"), live));
          case "sequential" -> {
            boolean failed = items.stream().anyMatch(o -> ((JsonObject) o).getString("state").equals("failed"));
            boolean busy = items.stream().anyMatch(o -> !DONE.contains(((JsonObject) o).getString("state"))
                && !((JsonObject) o).getString("state").equals("pending"));
            for (Object o : items) {
              JsonObject item = (JsonObject) o;
              if (item.getString("state").equals("pending") && failed && task.getBoolean("stop_on_failure")) {
                finish(item, "skipped", "an earlier node failed (stop_on_failure)");
              } else if (item.getString("state").equals("pending") && !busy) {
                assignIfPending(item, item.getString("node"), live);
                busy = true;
              }
            }
          }
          case "leader_assigned" -> {
            for (Object o : items) {
              JsonObject item = (JsonObject) o;
              if (item.getString("state").equals("pending")) {
                String node = item.getString("node") != null && live.contains(item.getString("node")) ? item.getString("node")
                    : freeTarget(items, targets, live);
                if (node != null) {
                  item.put("node", node).put("state", "assigned");
                }
              }
            }
          }
          default -> { } // peer_to_peer: the nodes claim items themselves
        }
        if ((mode.equals("leader_assigned") || mode.equals("peer_to_peer")) && targets.stream().noneMatch(live::contains)) {
          // no target left to hand or claim them: the task waited for ever (chaos on meanwhile), and ran whole again
          // when a target came back
          for (Object o : items) {
            if (((JsonObject) o).getString("state").equals("pending")) {
              finish((JsonObject) o, "failed", "no target node is live to run it (targets " + targets + ")");
            }
          }
        }
        if (items.stream().allMatch(o -> DONE.contains(((JsonObject) o).getString("state")))) {
          boolean ok = items.stream().allMatch(o -> ((JsonObject) o).getString("state").equals("succeeded"));
          task.put("status", ok ? "succeeded" : "failed").put("finished_at", System.currentTimeMillis());
          settle(task, taskSettled, taskRunning);
        } else {
          taskRunning[0] = true;
        }
        return task;
      });
      if (stands) {
        anyRunning |= taskRunning[0];
        allSettled.addAll(taskSettled);
      }
    }
    return new Led(anyRunning ? List.of() : List.copyOf(allSettled), anyRunning);
  }

  /** What the leader's turn found: the tasks just settled, and whether any task still runs. */
  record Led(List<String> settled, boolean running) { }

  /**
   * Marks an ended task whose items are all done as settled, once; answers it to write, or null when nothing
   * changed. A cancelled task whose items still run counts as running ({@code running[0]}).
   */
  private static JsonObject settle(JsonObject task, Set<String> settled, boolean[] running) {
    boolean done = task.getJsonArray("items").stream().allMatch(o -> DONE.contains(((JsonObject) o).getString("state")));
    if (!done) {
      running[0] = true;
    }
    if (!done || task.getBoolean("settled", false)) {
      return null;
    }
    settled.add(task.getString("id"));
    return task.put("settled", true);
  }

  private static void assignIfPending(JsonObject item, String node, Set<String> live) {
    if (item.getString("state").equals("pending")) {
      if (live.contains(node)) {
        item.put("state", "assigned");
      } else {
        finish(item, "failed", "node " + node + " is not live");
      }
    }
  }

  /** A live target that holds no unfinished item of this task. */
  private static String freeTarget(JsonArray items, List<String> targets, Set<String> live) {
    for (String target : targets) {
      // an item of its own not done yet, pending ones too: a target whose own item waits for the leader's tick was taken
      // for free, handed a dead node's item, and then its own in the same tick (two at once)
      boolean busy = items.stream().anyMatch(o -> target.equals(((JsonObject) o).getString("node"))
          && !DONE.contains(((JsonObject) o).getString("state")));
      if (live.contains(target) && !busy) {
        return target;
      }
    }
    return null;
  }

  /**
   * This node's turn: start the items handed to it, and in peer-to-peer tasks claim one pending item when
   * it is a target and not running one. {@code run} starts an item's chaos and schedules its end.
   */
  void work(Consumer<JsonObject[]> run) {
    for (String id : map.keySet()) {
      JsonObject[] started = new JsonObject[2];
      boolean stands = update(id, task -> {
        // a compare-and-set lost to another node runs this again on what that node wrote: only its last claim counts
        started[0] = null;
        started[1] = null;
        if (!task.getString("status").equals("running")) {
          return null;
        }
        JsonArray items = task.getJsonArray("items");
        boolean p2p = task.getString("mode").equals("peer_to_peer");
        boolean mine = p2p && task.getJsonArray("targets").contains(self)
            && items.stream().noneMatch(o -> self.equals(((JsonObject) o).getString("node"))
                && ((JsonObject) o).getString("state").equals("running"));
        for (Object o : items) {
          JsonObject item = (JsonObject) o;
          boolean assigned = item.getString("state").equals("assigned") && self.equals(item.getString("node"));
          boolean claim = mine && item.getString("state").equals("pending");
          if (assigned || claim) {
            // attempts: how many times the item started, on whichever node (a claim and a requeue both counted it once)
            item.put("state", "running").put("node", self).put("started_at", System.currentTimeMillis())
                .put("attempts", item.getInteger("attempts") + 1);
            started[0] = task;
            started[1] = item;
            return task;
          }
        }
        return null;
      });
      if (stands && started[1] != null) {
        run.accept(started);
      }
    }
  }

  /** Starts a scenario or config item's chaos on this node: a rule scoped to it with the task's sections, chaos switched on. */
  io.vertx.core.Future<Void> start(JsonObject task, JsonObject item) {
    return chaos.apply(TaskRules.rule(ruleName(task, item), self, task.getJsonObject("sections").getMap()), task.getString("id"));
  }

  /** Adds {@code fields} to an item this node runs (an orchestration item's run id once its run started). */
  void note(String taskId, int index, JsonObject fields) {
    update(taskId, task -> {
      JsonObject item = task.getJsonArray("items").getJsonObject(index);
      if (!item.getString("state").equals("running") || !self.equals(item.getString("node"))) {
        return null;
      }
      item.mergeIn(fields);
      return task;
    });
  }

  /**
   * Cancels task {@code id}: items not started yet are {@code cancelled}, the task is {@code cancelled} (the
   * leader hands out nothing more); items running go on until their nodes end them ({@link #cancelledHere}).
   */
  JsonObject cancel(String id) {
    return cancel(id, "on node " + self);
  }

  /**
   * Cancels every running task, {@code why} said in each item it ends before it ran; answers the ids cancelled.
   * The kill switch does it: a task's next item switched chaos on again, whoever had switched it off.
   */
  List<String> cancelRunning(String why) {
    List<String> cancelled = new java.util.ArrayList<>();
    for (String encoded : map.values()) {
      JsonObject task = new JsonObject(encoded);
      if ("running".equals(task.getString("status"))) {
        try {
          cancel(task.getString("id"), why);
          cancelled.add(task.getString("id"));
        } catch (io.faultline.chaos.control.ControlError.Conflict | ChaosState.NotFound ended) {
          // it ended (or was deleted) meanwhile
        }
      }
    }
    return cancelled;
  }

  private JsonObject cancel(String id, String why) {
    if (id == null || id.isBlank()) {
      throw new ChaosConfigException("id", "is required: the task to cancel");
    }
    JsonObject[] seenNow = new JsonObject[1];
    boolean[] changed = new boolean[1];
    boolean stands = update(id, task -> {
      seenNow[0] = task;
      changed[0] = false; // as for work: what counts is the attempt that was written
      if (!task.getString("status").equals("running")) {
        return null;
      }
      JsonArray all = task.getJsonArray("items");
      if (all.stream().allMatch(o -> DONE.contains(((JsonObject) o).getString("state")))) {
        // every part has ended, the leader has not closed it yet: it has ended, as the leader will say
        boolean ok = all.stream().allMatch(o -> ((JsonObject) o).getString("state").equals("succeeded"));
        task.put("status", ok ? "succeeded" : "failed").put("finished_at", System.currentTimeMillis());
        seenNow[0] = task;
        return task;
      }
      long now = System.currentTimeMillis();
      for (Object o : task.getJsonArray("items")) {
        JsonObject item = (JsonObject) o;
        String state = item.getString("state");
        if (state.equals("pending") || state.equals("assigned")) {
          finish(item, "cancelled", "the task was cancelled (" + why + ") before this part ran");
        }
      }
      task.put("status", "cancelled").put("finished_at", now).put("cancelled_on", self);
      changed[0] = true;
      return task;
    });
    if (!stands || seenNow[0] == null) { // deleted between a lost write and its retry: as if never found
      throw new ChaosState.NotFound("id", "no task named " + id);
    }
    if (!changed[0]) {
      throw new io.faultline.chaos.control.ControlError.Conflict("id", "task " + id + " has ended (" + seenNow[0].getString("status") + ")");
    }
    return get(id);
  }

  /**
   * What a heartbeat needs of the tasks still going (running or cancelled), from one read of the map: their {@code items}
   * as the map has them, {@code {"task", "index", "state", "node", "run_id"}} each (a task item's run here checks that
   * its item is still its own), and {@code cancelledHere}, the items of cancelled tasks still running on this node as
   * {@code [task, item]}, each to be ended here.
   */
  record Going(JsonArray items, List<JsonObject[]> cancelledHere) {
  }

  Going going() {
    JsonArray items = new JsonArray();
    List<JsonObject[]> cancelledHere = new java.util.ArrayList<>();
    for (String encoded : map.values()) {
      if (deleted(encoded)) {
        continue; // a tombstone: no items
      }
      JsonObject task = new JsonObject(encoded);
      boolean cancelled = "cancelled".equals(task.getString("status"));
      if (!cancelled && !"running".equals(task.getString("status"))) {
        continue;
      }
      for (Object o : task.getJsonArray("items")) {
        JsonObject item = (JsonObject) o;
        items.add(new JsonObject().put("task", task.getString("id")).put("index", item.getInteger("index"))
            .put("state", item.getString("state")).put("node", item.getString("node")).put("run_id", item.getString("run_id")));
        if (cancelled && item.getString("state").equals("running") && self.equals(item.getString("node"))) {
          cancelledHere.add(new JsonObject[] {task, item});
        }
      }
    }
    return new Going(items, cancelledHere);
  }

  /** The items of cancelled tasks still running on this node, as {@code [task, item]}: each is to be ended here. */
  List<JsonObject[]> cancelledHere() {
    return going().cancelledHere();
  }

  /** Ends an item this node ran: its rule goes, and the item records the result. */
  void end(String taskId, int index, String outcome, String result) {
    end(taskId, index, outcome, result, new JsonObject());
  }

  /** Like {@link #end(String, int, String, String)}, with {@code fields} added to the item (an orchestration item's run). */
  void end(String taskId, int index, String outcome, String result, JsonObject fields) {
    update(taskId, task -> {
      JsonObject item = task.getJsonArray("items").getJsonObject(index);
      if (!item.getString("state").equals("running") || !self.equals(item.getString("node"))) {
        return null;
      }
      String runId = fields.getString("run_id");
      if (runId != null && item.getString("run_id") != null && !runId.equals(item.getString("run_id"))) {
        return null; // the end of an earlier run of this item here (handed back to this node): not this run's item
      }
      Integer attempts = fields.getInteger("attempts");
      if (attempts != null && !attempts.equals(item.getInteger("attempts"))) {
        return null; // an earlier start's timer (the item requeued and started here again): its chaos ran 60 s cut to 39
      }
      removeRule(task, item);
      boolean cancelled = task.getString("status").equals("cancelled") && !outcome.equals("succeeded");
      finish(item.mergeIn(fields), cancelled ? "cancelled" : outcome, cancelled ? "cancelled while it ran: " + result : result);
      return task;
    });
  }

  private void removeRule(JsonObject task, JsonObject item) {
    chaos.remove(ruleName(task, item), task.getString("id"));
  }

  private static String ruleName(JsonObject task, JsonObject item) {
    return TaskRules.name(task.getString("id"), item.getInteger("index"));
  }

  /** Whether {@code item} was handed to, or runs on, a node that is no longer live. */
  private static boolean lostWithItsNode(JsonObject item, Set<String> live) {
    String state = item.getString("state");
    return (state.equals("assigned") || state.equals("running")) && !live.contains(item.getString("node"));
  }

  /** Ends {@code item}, lost with its node, as {@code outcome}: its rule removed, and its run, if one went, lost (no report). */
  private void endLost(JsonObject task, JsonObject item, String outcome, String result) {
    removeRule(task, item);
    finish(item, outcome, result);
    if ("running".equals(item.getString("run_status"))) {
      item.put("run_status", "lost");
    }
  }

  private static void finish(JsonObject item, String outcome, String result) {
    item.put("state", outcome).put("result", result).put("finished_at", System.currentTimeMillis());
  }

  /**
   * Compare-and-set loop on one task; {@code change} answers null to leave it as it is. A write lost to another
   * node's calls {@code change} again on what that node wrote, so what {@code change} notes aside must be reset at its
   * start: only its last call counts. Answers whether that last call stands (its write was made, or it left the task as
   * it read it); false when the task was gone or deleted first, and what an earlier call noted stands for nothing.
   */
  private boolean update(String id, UnaryOperator<JsonObject> change) {
    while (true) {
      String current = map.get(id);
      if (current == null || deleted(current)) {
        return false;
      }
      JsonObject next = change.apply(new JsonObject(current));
      if (next == null) {
        return true;
      }
      String encoded = next.encode();
      if (map.replace(id, current, encoded)) {
        seen.put(id, encoded);
        return true;
      }
    }
  }
}
