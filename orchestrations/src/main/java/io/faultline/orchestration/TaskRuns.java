package io.faultline.orchestration;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.control.Ids;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.model.Names;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.Requests;
import io.faultline.orchestration.parse.ScenarioNames;
import io.faultline.orchestration.run.Run;
import io.faultline.orchestration.run.RunClock;
import io.faultline.orchestration.run.RunScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The runs of distributed tasks' items on this node ({@link InternalAddresses#TASK_ORCHESTRATION_RUN}):
 * each a {@link Run} scoped to this node, so its steps change only this node's traffic. They are not the
 * node's own run ({@link Runs}): they start here whoever leads the cluster, as many as there are items
 * (at most one per task), whether or not an orchestration runs on the node; they are not checkpointed
 * (an item whose node dies is failed or requeued by its task's coordination mode) and do not publish
 * progress (the progress channel, the console and the active-run meters describe the node's own run).
 * Their reports are kept like any run's, so the report endpoints serve them under their run ids.
 */
final class TaskRuns {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final RunClock clock;
  private final HookRunner hooks;
  private final RunEvents events;
  private final Function<String, String> library;
  private final Map<String, Run> active = new LinkedHashMap<>();
  private final Map<String, Future<?>> ends = new LinkedHashMap<>();
  private final Map<String, String> tasks = new LinkedHashMap<>();
  private final Map<String, RunScope> scopes = new LinkedHashMap<>();
  /** Runs whose item the last heartbeat's list did not give them: they give up when the next one does not either. */
  private final java.util.Set<String> missing = new java.util.HashSet<>();
  /** Runs told to give up (once). */
  private final java.util.Set<String> givenUp = new java.util.HashSet<>();

  /** {@code library} answers a library entry's text by name (null when there is none). */
  TaskRuns(Vertx vertx, RunClock clock, HookRunner hooks, RunEvents events, Function<String, String> library) {
    this.vertx = vertx;
    this.clock = clock;
    this.hooks = hooks;
    this.events = events;
    this.library = library;
  }

  /**
   * A submission's {@code orchestration} (a document as an object, YAML or JSON text, or a library
   * entry's name) as {@code {"name", "text"}} once it validates here; every error names the field
   * {@code orchestration} (and the path inside it).
   */
  Future<JsonObject> check(JsonObject body) {
    String text = text(body == null ? null : body.getValue("orchestration"));
    return Parsing.parse(vertx, text)
        .recover(e -> Future.failedFuture(e instanceof ChaosConfigException c ? new ChaosConfigException("orchestration", c.getMessage()) : e))
        .compose(parsed -> parsed.valid() ? ScenarioNames.onNode(vertx.eventBus()).map(known -> {
          ScenarioNames.refuseUnknown(parsed.scenarios(), known, "");
          return parsed;
        }) : Future.failedFuture(Requests.invalid(parsed)))
        .recover(e -> Future.failedFuture(e instanceof ChaosConfigException c && !"orchestration".equals(c.field()) ? c.under("orchestration") : e))
        .map(parsed -> new JsonObject().put("name", parsed.orchestration().name()).put("text", text));
  }

  private String text(Object given) {
    if (given instanceof JsonObject document) {
      return document.encode();
    }
    if (given instanceof String name && Names.valid(name)) {
      String text = library.apply(name);
      if (text == null) {
        throw new ChaosConfigException("orchestration", "no library entry named " + name + "; give the orchestration itself"
            + " (an object, or YAML or JSON text) or store it first (PUT /api/chaos/orchestration/library/" + name + ")");
      }
      return text;
    }
    if (given instanceof String text && !text.isBlank()) {
      return text;
    }
    throw new ChaosConfigException("orchestration", "must be an orchestration (an object, or YAML or JSON text) or the name of a"
        + " library entry, got " + (given == null ? "nothing" : given.getClass().getSimpleName()));
  }

  /** Starts item {@code index} of task {@code task} here, on {@code node}: answers {@code {"run_id", "name"}}. */
  Future<JsonObject> start(JsonObject body) {
    RunScope scope = new RunScope(Requests.required(body, "task"), body.getInteger("index", -1), Requests.required(body, "node"));
    String text = Requests.text(body);
    return Parsing.valid(vertx, text).compose(parsed -> ScenarioNames.onNode(vertx.eventBus()).map(known -> {
      ScenarioNames.refuseUnknown(parsed.scenarios(), known, "cannot start on node " + scope.node() + ": ");
      return launch(parsed, scope);
    }));
  }

  private JsonObject launch(OrchestrationParser.Result parsed, RunScope scope) {
    Orchestration orchestration = parsed.orchestration();
    String id = Ids.next("run");
    Run run = new Run(vertx, orchestration, id, clock, hooks, events.listener(false), scope);
    active.put(id, run);
    tasks.put(id, scope.task());
    scopes.put(id, scope);
    Future<JsonObject> reported = events.ended(orchestration, run.start(), scope);
    ends.put(id, reported);
    reported.onComplete(ar -> {
      active.remove(id);
      ends.remove(id);
      tasks.remove(id);
      scopes.remove(id);
      missing.remove(id);
      givenUp.remove(id);
      JsonObject report = ar.succeeded() ? ar.result() : null;
      vertx.eventBus().publish(InternalAddresses.TASK_ORCHESTRATION_ENDED, new JsonObject()
          .put("task", scope.task()).put("index", scope.index()).put("run_id", id)
          .put("status", report != null ? report.getString("status") : run.status().getString("status"))
          .put("report", report == null ? null : TaskReports.summary(report)), LOCAL);
    });
    return new JsonObject().put("run_id", id).put("name", orchestration.name());
  }

  /** Stops the runs of task {@code {"task"}}'s items (it was cancelled); answers {@code {"stopped": n}}. */
  Future<JsonObject> stop(JsonObject body) {
    String task = Requests.required(body, "task");
    int stopped = 0;
    for (Map.Entry<String, Run> e : active.entrySet()) {
      if (task.equals(tasks.get(e.getKey())) && e.getValue().active()) {
        e.getValue().stopNow("stopped"); // the task's part ends at once, its clean-up too
        stopped++;
      }
    }
    return Future.succeededFuture(new JsonObject().put("stopped", stopped));
  }

  /**
   * Follows the items of the tasks still going ({@link InternalAddresses#TASK_ITEMS}, each heartbeat): a run whose item is
   * not running here under its run id, two heartbeats in a row, gives up. Its item was ended, or handed to another node,
   * while this node was cut off from the cluster; going on, each of its steps put the item's rule back matching this
   * node, and its end removed the rule. When another run holds the item now (on another node, or again here), the run
   * ends leaving the rule to it; when none does, it ends as a stop, removing its rule.
   */
  void followItems(JsonObject body) {
    Map<String, JsonObject> items = new java.util.HashMap<>();
    body.getJsonArray("items", new io.vertx.core.json.JsonArray()).forEach(o -> {
      JsonObject item = (JsonObject) o;
      items.put(item.getString("task") + "/" + item.getInteger("index"), item);
    });
    for (Map.Entry<String, RunScope> e : new java.util.ArrayList<>(scopes.entrySet())) {
      String id = e.getKey();
      RunScope scope = e.getValue();
      JsonObject item = items.get(scope.task() + "/" + scope.index());
      boolean running = item != null && "running".equals(item.getString("state"));
      boolean ours = running && scope.node().equals(item.getString("node"))
          && (item.getString("run_id") == null || id.equals(item.getString("run_id")));
      Run run = active.get(id);
      if (ours) {
        missing.remove(id);
      } else if (!missing.add(id) && run != null && givenUp.add(id)) {
        String holder = !running ? "no node runs it now (it " + (item == null ? "ended" : "is " + item.getString("state")) + ")"
            : "it runs " + (scope.node().equals(item.getString("node")) ? "again here, as run " + item.getString("run_id")
            : "on node " + item.getString("node")) + " now";
        run.giveUp("task " + scope.task() + " item " + scope.index() + " is no longer this run's: " + holder
            + " (it was ended or handed over while node " + scope.node() + " was cut off from the cluster)", running);
      }
    }
  }

  /** Shutting down stops every task run; each undoes its chaos (removes its rule) before the node goes. */
  Future<Void> shutdown() {
    active.values().forEach(Run::stopForShutdown);
    return RunEvents.windDown(vertx, Future.join(ends.values().stream().map(f -> (Future<?>) f).toList()));
  }
}
