package io.faultline.orchestration;

import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.Ids;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.model.Names;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.ScenarioRef;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.Requests;
import io.faultline.orchestration.parse.ScenarioNames;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.run.Run;
import io.faultline.orchestration.run.RunClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * This node's own runs, one at a time: starting (from text, a library entry or a schedule), stopping,
 * status, and what happens when one ends (its report kept and published). In a cluster these are the
 * cluster's runs, on the leader: the running step is checkpointed in the cluster, and a node that becomes
 * the leader resumes an unfinished run. A distributed task's runs are not these ({@link TaskRuns}).
 */
final class Runs {

  private static final Logger LOG = Logger.getLogger(Runs.class.getName());

  private final Vertx vertx;
  private final RunClock clock;
  private final HookRunner hooks;
  private final boolean clustered;
  private final RunEvents events;
  private Run current;
  /** The orchestration {@link #current} runs. */
  private Orchestration currentOrchestration;
  private Future<Void> currentDone = Future.succeededFuture();
  private JsonObject lastStatus = new JsonObject().put("is_running", false);
  /** Whether {@link #lastStatus} was read from the last kept report (the cluster's own last status replaces it). */
  private boolean lastFromReport;

  /** {@code events} publishes what runs do and keeps their reports. */
  Runs(Vertx vertx, RunClock clock, HookRunner hooks, boolean clustered, RunEvents events) {
    this.vertx = vertx;
    this.clock = clock;
    this.hooks = hooks;
    this.clustered = clustered;
    this.events = events;
  }

  /** The first step of the run going on that names scenario {@code scenario} (without a config of its own), or null. */
  String stepUsing(String scenario) {
    if (!running() || scenario == null) {
      return null;
    }
    // a conditional step's branches too: a scenario only its else branch names was deleted mid-run, and the branch failed
    java.util.Deque<io.faultline.orchestration.model.Step> todo = new java.util.ArrayDeque<>(currentOrchestration.steps());
    while (!todo.isEmpty()) {
      io.faultline.orchestration.model.Step step = todo.pop();
      if (step == null) {
        continue;
      }
      if (scenario.equals(step.scenario()) && step.config() == null) {
        return step.name();
      }
      java.util.stream.Stream.of(step.thenSteps(), step.elseSteps()).filter(java.util.Objects::nonNull).forEach(todo::addAll);
    }
    return null;
  }

  boolean running() {
    return current != null && current.active();
  }

  JsonObject status() {
    return current == null ? lastStatus : current.status();
  }

  /**
   * Starts {@code text} with {@code variables} laid over its own; refused while another run goes on, if
   * it is invalid, or if it names a scenario this node does not have (what validates, runs).
   */
  Future<JsonObject> start(String text, Map<String, Object> variables) {
    return start(text, variables, null);
  }

  /**
   * As {@link #start(String, Map)}; {@code experiment}: the id of the experiment (an A/B test) the run is a sample
   * of, which gets past that experiment's hold on the chaos config (null for every other start).
   */
  Future<JsonObject> start(String text, Map<String, Object> variables, String experiment) {
    refuseWhileRunning(experiment);
    String id = Ids.next("run");
    return Parsing.valid(vertx, text, variables).compose(parsed -> {
      // held before they are checked: a delete from now on is refused, one before is seen by the check
      String run = parsed.orchestration().name() + " (" + id + ")";
      List<String> held = hold(parsed.scenarios(), run);
      return ScenarioNames.onNode(vertx.eventBus()).map(known -> {
        ScenarioNames.refuseUnknown(parsed.scenarios(), known, "cannot start: ");
        Requests.usedVariables(text, parsed.orchestration().variables().keySet(), variables);
        refuseWhileRunning(experiment); // another start may have got in meanwhile
        Orchestration orchestration = parsed.orchestration().withVariables(variables);
        JsonObject started = launch(orchestration, text, variables, id, null)
            .put("message", "Orchestration '" + orchestration.name() + "' started successfully");
        // a change made meanwhile is told that the run's end puts back the config it found
        vertx.sharedData().getLocalMap(InternalAddresses.STEERING).put("run", run);
        currentDone.onComplete(v -> {
          release(held, run);
          vertx.sharedData().getLocalMap(InternalAddresses.STEERING).removeIfPresent("run", run);
        });
        return started;
      }).onFailure(e -> release(held, run));
    });
  }

  /** Holds each of {@code refs} for {@code run} that no run holds already (the one that goes on): answers those it held. */
  private List<String> hold(List<ScenarioRef> refs, String run) {
    io.vertx.core.shareddata.LocalMap<String, String> heldMap = vertx.sharedData().getLocalMap(InternalAddresses.SCENARIOS_HELD);
    return refs.stream().map(ScenarioRef::name).distinct().filter(name -> heldMap.putIfAbsent(name, run) == null).toList();
  }

  private void release(List<String> held, String run) {
    io.vertx.core.shareddata.LocalMap<String, String> heldMap = vertx.sharedData().getLocalMap(InternalAddresses.SCENARIOS_HELD);
    held.forEach(name -> heldMap.removeIfPresent(name, run));
  }

  private void refuseWhileRunning(String ownExperiment) {
    if (running()) {
      String name = current.status().getString("name");
      // a stop cannot end a clean-up (post_orchestration hooks) that runs after the run's steps: "stop it first" sent
      // a script that stopped and started again round in circles
      throw new ControlError.Conflict("orchestration", current.cleaningUp()
          ? "orchestration " + name + " has ended its steps and runs its clean-up (post_orchestration hooks); start again"
              + " once it ends (GET /api/chaos/orchestration/status: is_running false)"
          : "orchestration " + name + " is running; stop it first");
    }
    Object experiment = InternalAddresses.experimentHolding(vertx); // this node's, or another's (in a cluster)
    if (experiment != null && !experiment.equals(ownExperiment)) {
      throw new ControlError.Conflict("orchestration", "experiment " + experiment + " is setting the chaos config (an A/B test"
          + " or a breaking-point search); wait for it to end, or stop it (POST /api/history/experiments/" + experiment + "/stop)");
    }
  }

  /**
   * A library entry whose schedule came due: started unless a run goes on. Answers (never fails) what
   * became of it: {@code {outcome: started, run_id}}, {@code {outcome: skipped, reason}} when another run or
   * an experiment held the chaos config, {@code {outcome: failed, reason}} when the start was refused.
   */
  Future<JsonObject> startScheduled(String text) {
    return Future.succeededFuture().compose(v -> start(text, Map.of())) // a refusal thrown at once fails it too
        .map(started -> new JsonObject().put("outcome", "started").put("run_id", started.getString("run_id")))
        .otherwise(e -> new JsonObject().put("outcome", e instanceof ControlError.Conflict ? "skipped" : "failed")
            .put("reason", e.getMessage()));
  }

  /**
   * Stops the run and answers once it has ended (its chaos undone, its report kept; at most
   * {@link RunEvents#WIND_DOWN_MS}): a script's next request after {@code orchestrate stop} meets the chaos
   * as it was before the run, not the run's last step winding down.
   */
  Future<JsonObject> stop() {
    if (!running()) {
      throw new ChaosState.NotFound("run", "no orchestration is running");
    }
    Run run = current;
    // asked before the stop and the wind-down: a clean-up that ended meanwhile left the run answered "Orchestration
    // stopped" with the status succeeded, which the stop did not change
    boolean cleaningUp = run.cleaningUp();
    run.stop("stopped");
    return RunEvents.windDown(vertx, currentDone).map(v -> run.status().put("message", cleaningUp
        ? "The run's steps are done: its clean-up (post_orchestration hooks) runs to its end" : "Orchestration stopped"));
  }

  /** Shutting down ends a run like a stop: its chaos is undone before the node goes (waiting at most {@link RunEvents#WIND_DOWN_MS}). */
  Future<Void> shutdown() {
    if (!running()) {
      return Future.succeededFuture();
    }
    current.stopForShutdown();
    return RunEvents.windDown(vertx, currentDone);
  }

  /**
   * This node leads now: a run its predecessor checkpointed and did not finish goes on here; else the status
   * of the cluster's last run is this node's, until it runs one itself.
   */
  /**
   * After a restart, before any run: the status names the last run the node kept a report of (it answered
   * only {@code {"is_running": false}}). A run, or the cluster's own last status, comes before it.
   */
  void lastReported(JsonObject report) {
    if (report != null && current == null && !lastStatus.containsKey("run_id")) {
      JsonArray steps = report.getJsonArray("steps", new JsonArray());
      long done = steps.stream().filter(o -> o instanceof JsonObject step
          && ("succeeded".equals(step.getString("status")) || "failed".equals(step.getString("status")))).count();
      lastFromReport = true;
      lastStatus = new JsonObject()
          .put("is_running", false)
          .put("run_id", report.getString("id"))
          .put("name", report.getString("name"))
          .put("status", report.getString("status"))
          .put("iteration", report.getValue("iterations"))
          .put("steps_done", done)
          .put("started_at", report.getValue("started_at"))
          .put("ended_at", report.getValue("ended_at"));
    }
  }

  void resumeUnfinished() {
    runs().compose(map -> map.get("last")).onSuccess(last -> {
      if (last instanceof JsonObject status && current == null && (!lastStatus.containsKey("run_id") || lastFromReport)) {
        lastStatus = status;
        lastFromReport = false;
      }
    });
    runs().compose(map -> map.get("current")).onSuccess(checkpoint -> {
      if (checkpoint instanceof JsonObject cp && !Names.valid(cp.getString("run_id"))) {
        LOG.warning(() -> "unfinished run not resumed: its checkpoint names no usable run id: " + cp.getValue("run_id"));
        runs().compose(map -> map.remove("current"));
      } else if (checkpoint instanceof JsonObject cp && !running()) {
        LOG.info(() -> "this node leads now: resuming orchestration run " + cp.getString("run_id"));
        Map<String, Object> overrides = cp.getJsonObject("overrides").getMap();
        // with the variables it was started with: a start takes one the file uses without declaring it (--var), and
        // without it that file is invalid, so a new leader dropped the run, its last step's chaos left on everywhere
        Parsing.valid(vertx, cp.getString("text"), overrides).onSuccess(parsed -> {
          if (!running()) {
            launch(parsed.orchestration().withVariables(overrides), cp.getString("text"), overrides, cp.getString("run_id"), cp);
          }
        }).onFailure(e -> endUnresumable(cp, e));
      }
    });
  }

  /**
   * A checkpointed run this node cannot go on with (a newer version's node wrote a file this one refuses) ends as a stop
   * would end it: the config from before the run is put back, its checkpoint goes, and its end is announced, failed,
   * saying why (the cluster's last status, and every node's note that a run holds the config). It was dropped with a
   * log line, and the cluster stayed in its last step's chaos, held by a run nobody ran, until a later run ended.
   */
  private void endUnresumable(JsonObject cp, Throwable why) {
    String id = cp.getString("run_id");
    String reason = "not resumed on this node: " + why.getMessage();
    if (running()) {
      // a run started here meanwhile (while the file was read) holds the chaos config now: it is left alone
      LOG.warning(() -> "unfinished run " + id + " " + reason + "; a run started since holds the chaos config");
      runs().compose(map -> map.removeIfPresent("current", cp));
      return;
    }
    Run.restoreBefore(vertx.eventBus(), cp).transform(restored -> {
      String outcome = restored.succeeded() ? "the config from before it is put back"
          : "the config from before it could not be put back (" + ControlError.reason(restored.cause()) + ")";
      LOG.warning(() -> "unfinished run " + id + " " + reason + "; " + outcome);
      JsonObject ended = new JsonObject().put("is_running", false).put("run_id", id).put("name", cp.getString("name"))
          .put("status", "failed").put("started_at", cp.getValue("started_at")).put("ended_at", System.currentTimeMillis())
          .put("error", reason + "; " + outcome);
      if (current == null) {
        lastStatus = ended;
        lastFromReport = false;
      }
      vertx.eventBus().publish(OrchestratorVerticle.PROGRESS, ended);
      return runs().compose(map -> map.put("last", ended.copy()).compose(v -> map.removeIfPresent("current", cp)));
    }).onFailure(e -> LOG.warning(() -> "unfinished run " + id + ": its checkpoint not removed: " + e.getMessage()));
  }

  private Future<AsyncMap<String, Object>> runs() {
    return vertx.sharedData().getAsyncMap("faultline.orchestration.runs");
  }

  private JsonObject launch(Orchestration orchestration, String text, Map<String, Object> variables, String id, JsonObject resumeFrom) {
    Run run = new Run(vertx, orchestration, id, clock, hooks, events.listener(true));
    if (resumeFrom != null) {
      run.resume(resumeFrom);
    }
    if (clustered) {
      // (its name too: a node that cannot resume it still names it as it ends it)
      JsonObject fixed = new JsonObject().put("text", text).put("overrides", new JsonObject(variables)).put("name", orchestration.name());
      // each checkpoint replaces the one this run wrote last (or resumed from): when it is gone, another node has
      // taken the run over (this one was deposed while it was cut off), and the run is abandoned here
      JsonObject[] written = {resumeFrom};
      run.checkpointTo(cp -> {
        JsonObject next = cp.mergeIn(fixed);
        Future<Boolean> ours = runs().compose(map -> written[0] == null ? map.put("current", next).map(true)
            : map.replaceIfPresent("current", written[0], next));
        return ours.map(still -> {
          if (still) {
            written[0] = next;
          }
          return still;
        }).otherwise(e -> {
          LOG.warning(() -> "orchestration run " + id + ": its checkpoint could not be stored (" + e.getMessage() + "); it goes on");
          return true;
        });
      });
    }
    current = run;
    currentOrchestration = orchestration;
    Future<RunReport> ended = run.start();
    // an abandoned run (another node runs it now) leaves no report, history or status of its own
    Future<JsonObject> reported = events.ended(orchestration, ended.compose(report -> run.abandoned()
        ? Future.failedFuture("abandoned: another node runs " + id) : Future.succeededFuture(report)));
    // a shutdown waits for this: the report written, kept and announced (to the history), not only made
    Future<Void> kept = reported.compose(report -> {
      lastStatus = run.status();
      lastFromReport = false;
      // the cluster's last status too: a node that leads next answers it, not an empty status; and the run's own
      // checkpoint goes (only its own: a run started once this one's status said it ended has put its first one, and
      // taking that made the new run find itself resumed elsewhere and abandon itself, its chaos left on)
      // (read back by its run id: the checkpoint this node last wrote may not be the one stored, when a write failed late)
      return clustered ? runs().compose(map -> map.put("last", lastStatus.copy())
          .compose(v -> map.get("current"))
          .compose(stored -> stored instanceof JsonObject own && id.equals(own.getString("run_id"))
              ? map.removeIfPresent("current", own) : Future.succeededFuture())).mapEmpty()
          : Future.<Void>succeededFuture();
    });
    currentDone = kept.otherwiseEmpty();
    return run.status();
  }
}
