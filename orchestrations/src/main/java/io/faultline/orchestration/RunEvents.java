package io.faultline.orchestration;

import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.report.ReportFile;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.run.Run;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What a run on this node tells the rest, whichever kind it is (the node's run, a task item's): its
 * hooks on {@link OrchestratorVerticle#HOOK}, its progress on {@link OrchestratorVerticle#PROGRESS} when
 * asked, and its end: the report written where the orchestration asks, kept (in a cluster, handed to every
 * node, so any node serves it), and announced here on {@link OrchestratorVerticle#FINISHED}.
 */
final class RunEvents {

  /** How long a node that shuts down waits for its stopped runs to undo their chaos. */
  static final long WIND_DOWN_MS = 10_000;
  private static final Logger LOG = Logger.getLogger(RunEvents.class.getName());
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final Path stateDir;
  private final boolean clustered;
  private final Consumer<JsonObject> keep;

  /** {@code keep} gets each report's JSON (to keep it); {@code stateDir} (may be null) holds report files. */
  RunEvents(Vertx vertx, Path stateDir, boolean clustered, Consumer<JsonObject> keep) {
    this.vertx = vertx;
    this.stateDir = stateDir;
    this.clustered = clustered;
    this.keep = keep;
  }

  /** The listener of a run: hooks always published, progress only when {@code progress}. */
  Run.Listener listener(boolean progress) {
    return new Run.Listener() {
      @Override
      public void progress(JsonObject status) {
        if (progress) {
          vertx.eventBus().publish(OrchestratorVerticle.PROGRESS, status);
        }
      }

      @Override
      public void stepEnded(Orchestration orchestration, io.faultline.orchestration.report.StepResult result) {
        vertx.eventBus().publish(OrchestratorVerticle.STEP_ENDED, new JsonObject().put("orchestration", orchestration.name())
            .put("mode", orchestration.parallel() ? "parallel" : "sequential").put("step", result.toJson()), LOCAL);
      }

      @Override
      public void hookDone(String type, String name, boolean succeeded) {
        vertx.eventBus().publish(OrchestratorVerticle.HOOK,
            new JsonObject().put("type", type).put("hook", name).put("result", succeeded ? "succeeded" : "failed"), LOCAL);
      }
    };
  }

  /** Completes when {@code done} does, or after {@link #WIND_DOWN_MS} at the latest: never fails. */
  static Future<Void> windDown(Vertx vertx, Future<?> done) {
    Promise<Void> ended = Promise.promise();
    done.onComplete(v -> ended.tryComplete());
    vertx.setTimer(WIND_DOWN_MS, id -> ended.tryComplete());
    return ended.future();
  }

  /** Once {@code ended} (the run's report) is there: written, kept, shared and announced; answers its JSON. */
  Future<JsonObject> ended(Orchestration orchestration, Future<RunReport> ended) {
    return ended(orchestration, ended, null);
  }

  /**
   * As {@link #ended(Orchestration, Future)}, for item {@code scope} of a distributed task (null: a run of its own): the
   * report names its task and item ({@code task}, {@code task_index}), and {@code reports/latest} passes over it.
   */
  Future<JsonObject> ended(Orchestration orchestration, Future<RunReport> ended, io.faultline.orchestration.run.RunScope scope) {
    return ended.compose(report -> ReportFile.write(vertx, stateDir, orchestration.reporting(), report)).map(report -> {
      JsonObject json = report.toJson();
      if (scope != null) {
        json.put("task", scope.task()).put("task_index", scope.index());
      }
      keep.accept(json);
      if (clustered) {
        vertx.eventBus().publish(OrchestratorVerticle.REPORT_KEPT, json);
      }
      vertx.eventBus().publish(OrchestratorVerticle.FINISHED, json, LOCAL);
      LOG.info(() -> "orchestration " + report.name() + " " + report.status() + " (" + report.id() + ")");
      return json;
    });
  }
}
