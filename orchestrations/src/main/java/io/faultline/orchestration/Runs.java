package io.faultline.orchestration;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.model.Names;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.ScenarioNames;
import io.faultline.orchestration.report.ReportFile;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.run.Run;
import io.faultline.orchestration.run.RunClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * This node's runs, one at a time: starting (from text, a library entry or a schedule), stopping,
 * status, and what happens when one ends (its report kept and published). In a cluster the running
 * step is checkpointed in the cluster, and a node that becomes the leader resumes an unfinished run.
 */
final class Runs {

  private static final Logger LOG = Logger.getLogger(Runs.class.getName());
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final RunClock clock;
  private final HookRunner hooks;
  private final boolean clustered;
  private final Consumer<JsonObject> finished;
  private final Path stateDir;
  private Run current;
  private Future<Void> currentDone = Future.succeededFuture();
  private JsonObject lastStatus = new JsonObject().put("is_running", false);

  /** {@code finished} gets each report's JSON when its run ended (to keep it); {@code stateDir} (may be null) holds report files. */
  Runs(Vertx vertx, RunClock clock, HookRunner hooks, boolean clustered, Path stateDir, Consumer<JsonObject> finished) {
    this.vertx = vertx;
    this.stateDir = stateDir;
    this.clock = clock;
    this.hooks = hooks;
    this.clustered = clustered;
    this.finished = finished;
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
    refuseWhileRunning();
    return Parsing.valid(vertx, text).compose(parsed -> ScenarioNames.onNode(vertx.eventBus()).map(known -> {
      List<Problem> unknown = ScenarioNames.unknown(parsed.scenarios(), known);
      if (!unknown.isEmpty()) {
        throw new ChaosConfigException(unknown.get(0).path(), "cannot start: " + unknown.get(0)
            + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more; validate it for all)" : ""));
      }
      refuseWhileRunning(); // another start may have got in meanwhile
      Orchestration orchestration = parsed.orchestration().withVariables(variables);
      return launch(orchestration, text, variables, "run-" + UUID.randomUUID().toString().substring(0, 8), null)
          .put("message", "Orchestration '" + orchestration.name() + "' started successfully");
    }));
  }

  private void refuseWhileRunning() {
    if (running()) {
      throw new ChaosConfigException("orchestration",
          "orchestration " + current.status().getString("name") + " is running; stop it first");
    }
  }

  /** A library entry whose schedule came due: started unless a run goes on. */
  void startScheduled(String name, String text) {
    if (running()) {
      LOG.warning(() -> "scheduled orchestration " + name + " skipped: " + current.status().getString("name") + " is running");
      return;
    }
    start(text, Map.of()).onFailure(e -> LOG.warning(() -> "scheduled orchestration " + name + " did not start: " + e.getMessage()));
  }

  JsonObject stop() {
    if (!running()) {
      throw new ChaosState.NotFound("run", "no orchestration is running");
    }
    current.stop("stopped");
    return current.status().put("message", "Orchestration stopped");
  }

  /** Shutting down ends a run like a stop: its chaos is undone before the node goes (waiting at most 10 s). */
  Future<Void> shutdown() {
    if (!running()) {
      return Future.succeededFuture();
    }
    current.stop("stopped");
    Promise<Void> ended = Promise.promise();
    currentDone.onComplete(v -> ended.tryComplete());
    vertx.setTimer(10_000, id -> ended.tryComplete());
    return ended.future();
  }

  /** This node leads now: a run its predecessor checkpointed and did not finish goes on here. */
  void resumeUnfinished() {
    runs().compose(map -> map.get("current")).onSuccess(checkpoint -> {
      if (checkpoint instanceof JsonObject cp && !Names.valid(cp.getString("run_id"))) {
        LOG.warning(() -> "unfinished run not resumed: its checkpoint names no usable run id: " + cp.getValue("run_id"));
        runs().compose(map -> map.remove("current"));
      } else if (checkpoint instanceof JsonObject cp && !running()) {
        LOG.info(() -> "this node leads now: resuming orchestration run " + cp.getString("run_id"));
        Map<String, Object> overrides = cp.getJsonObject("overrides").getMap();
        Parsing.valid(vertx, cp.getString("text")).onSuccess(parsed -> {
          if (!running()) {
            launch(parsed.orchestration().withVariables(overrides), cp.getString("text"), overrides, cp.getString("run_id"), cp);
          }
        }).onFailure(e -> LOG.warning(() -> "unfinished run " + cp.getString("run_id") + " not resumed: " + e.getMessage()));
      }
    });
  }

  private Future<AsyncMap<String, Object>> runs() {
    return vertx.sharedData().getAsyncMap("faultline.orchestration.runs");
  }

  private JsonObject launch(Orchestration orchestration, String text, Map<String, Object> variables, String id, JsonObject resumeFrom) {
    Run run = new Run(vertx, orchestration, id, clock, hooks, new Run.Listener() {
      @Override
      public void progress(JsonObject status) {
        vertx.eventBus().publish(OrchestratorVerticle.PROGRESS, status);
      }

      @Override
      public void hookDone(String type, String name, boolean succeeded) {
        vertx.eventBus().publish(OrchestratorVerticle.HOOK,
            new JsonObject().put("type", type).put("hook", name).put("result", succeeded ? "succeeded" : "failed"), LOCAL);
      }
    });
    if (resumeFrom != null) {
      run.resume(resumeFrom);
    }
    if (clustered) {
      JsonObject fixed = new JsonObject().put("text", text).put("overrides", new JsonObject(variables));
      run.checkpointTo(cp -> runs().compose(map -> map.put("current", cp.mergeIn(fixed))));
    }
    current = run;
    Future<RunReport> ended = run.start();
    currentDone = ended.<Void>mapEmpty().otherwiseEmpty();
    ended.compose(report -> ReportFile.write(vertx, stateDir, orchestration.reporting(), report)).onSuccess(report -> {
      lastStatus = run.status();
      JsonObject json = report.toJson();
      finished.accept(json);
      if (clustered) {
        runs().compose(map -> map.remove("current"));
        vertx.eventBus().publish(OrchestratorVerticle.REPORT_KEPT, json);
      }
      vertx.eventBus().publish(OrchestratorVerticle.FINISHED, json, LOCAL);
      LOG.info(() -> "orchestration " + report.name() + " " + report.status() + " (" + report.id() + ")");
    });
    return run.status();
  }
}
