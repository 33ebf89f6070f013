package io.faultline.cluster;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ChangeLog;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.control.TaskRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Runs the task items handed to this node, on its event loop:
 * <ul>
 *   <li>a scenario or config item: its rule for the task's duration, then the result;</li>
 *   <li>an orchestration item: the orchestrator runs it here, scoped to this node
 *       ({@link InternalAddresses#TASK_ORCHESTRATION_RUN}), whoever leads the cluster and whatever the
 *       node's own run does; the item notes the run's id, and when the run ends
 *       ({@link InternalAddresses#TASK_ORCHESTRATION_ENDED}) it takes the run's status and report summary,
 *       {@code succeeded} only when the run succeeded.</li>
 * </ul>
 * Task map updates are blocking Hazelcast calls, handed to {@code blocking}.
 */
final class TaskRunner {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TaskRunner.class.getName());

  private final Vertx vertx;
  private final Tasks tasks;
  private final String nodeId;
  private final Function<Callable<Void>, Future<Void>> blocking;

  TaskRunner(Vertx vertx, Tasks tasks, String nodeId, Function<Callable<Void>, Future<Void>> blocking) {
    this.vertx = vertx;
    this.tasks = tasks;
    this.nodeId = nodeId;
    this.blocking = blocking;
  }

  /** Listens for the end of this node's orchestration items. */
  Future<Void> start() {
    return vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.TASK_ORCHESTRATION_ENDED, message -> {
      JsonObject end = message.body();
      String status = end.getString("status");
      String runId = end.getString("run_id");
      JsonObject report = end.getJsonObject("report");
      String firstError = report == null || report.getJsonArray("errors", new io.vertx.core.json.JsonArray()).isEmpty() ? null
          : report.getJsonArray("errors").getString(0);
      String result = "run " + runId + " " + status + " on " + nodeId + (firstError == null ? "" : ": " + firstError);
      JsonObject fields = new JsonObject().put("run_id", runId).put("run_status", status).put("report", report);
      end(end.getString("task"), end.getInteger("index"), "succeeded".equals(status) ? "succeeded" : "failed", result, fields);
    }).completion();
  }

  /** Runs {@code item} of {@code task}, which the task map just marked running on this node. */
  void run(JsonObject task, JsonObject item) {
    if (task.getJsonObject("orchestration") != null) {
      orchestrate(task, item);
      return;
    }
    String id = task.getString("id");
    int index = item.getInteger("index");
    long duration = task.getLong("duration_ms");
    // this start's: the timer of an earlier start of the item here (requeued, handed back) ends that one, not this one
    JsonObject attempt = new JsonObject().put("attempts", item.getInteger("attempts"));
    tasks.start(task, item)
        .onSuccess(v -> vertx.setTimer(duration, t -> end(id, index, "succeeded", "ran " + duration + " ms on " + nodeId, attempt)))
        .onFailure(e -> end(id, index, "failed", String.valueOf(e.getMessage()), attempt));
  }

  private void orchestrate(JsonObject task, JsonObject item) {
    String id = task.getString("id");
    int index = item.getInteger("index");
    JsonObject start = new JsonObject().put("task", id).put("index", index).put("node", nodeId)
        .put("text", task.getJsonObject("orchestration").getString("text"));
    vertx.eventBus().<JsonObject>request(InternalAddresses.TASK_ORCHESTRATION_RUN, start).onComplete(ar -> {
      if (ar.succeeded()) {
        String runId = ar.result().body().getString("run_id");
        blocking.apply(() -> {
          tasks.note(id, index, new JsonObject().put("run_id", runId).put("run_status", "running"));
          return null;
        });
      } else {
        end(id, index, "failed", "the orchestration did not start on " + nodeId + ": " + why(ar.cause()), new JsonObject());
      }
    });
  }

  /**
   * Ends {@code item} of a cancelled task on this node: a scenario or config item's rule goes at once; an
   * orchestration item's run is stopped (it removes its rule as it ends, and its end closes the item).
   * Called again at each heartbeat until the item is closed, so a run that was still starting is caught too.
   */
  void cancel(JsonObject task, JsonObject item) {
    String id = task.getString("id");
    int index = item.getInteger("index");
    if (task.getJsonObject("orchestration") == null) {
      end(id, index, "cancelled", "stopped on " + nodeId, new JsonObject());
      return;
    }
    vertx.eventBus().request(InternalAddresses.TASK_ORCHESTRATION_STOP, new JsonObject().put("task", id));
  }

  private static String why(Throwable e) {
    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
      return "this node runs no orchestrator yet";
    }
    return io.faultline.chaos.control.ControlError.reason(e);
  }

  /** How often an item's end is written before it is given up on (a second apart): a minute of a cluster in trouble. */
  static final int END_ATTEMPTS = 60;

  private void end(String taskId, int index, String outcome, String result, JsonObject fields) {
    end(taskId, index, outcome, result, fields, 1);
  }

  /**
   * Writes {@code item}'s end, again a second later while the write fails (a member leaving, partitions migrating): written
   * once and lost, the item stayed running for good, its node live, its rule on (a scenario item's goes with its end), and
   * its task never settled (its chaos switch never put back, every later task's neither).
   */
  private void end(String taskId, int index, String outcome, String result, JsonObject fields, int attempt) {
    blocking.apply(() -> {
      tasks.end(taskId, index, outcome, result, fields);
      return null;
    }).onFailure(e -> {
      if (attempt >= END_ATTEMPTS) {
        LOG.severe(() -> "task " + taskId + " item " + index + ": its end (" + outcome + ") could not be written in " + attempt
            + " attempts: " + e.getMessage());
        return;
      }
      LOG.warning(() -> "task " + taskId + " item " + index + ": writing its end failed (" + e.getMessage() + "), again in 1 s");
      vertx.setTimer(1_000L, t -> end(taskId, index, outcome, result, fields, attempt + 1));
    });
  }

  /** Task chaos through the control addresses, each change marked as coming from its task. */
  static final class BusChaos implements Tasks.Chaos {

    private final Vertx vertx;

    BusChaos(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override
    public Future<Void> apply(JsonObject rule, String taskId) {
      DeliveryOptions source = source(taskId);
      return vertx.eventBus().<JsonObject>request(Addresses.RULES_PUT, rule, source)
          .compose(put -> put.body().getBoolean("enabled", false) ? Future.<Void>succeededFuture()
              : vertx.eventBus().request(Addresses.CHAOS_ENABLE, null, source).<Void>mapEmpty());
    }

    @Override
    public void remove(String rule, String taskId) {
      // not found means never added or removed already: nothing to do either way
      vertx.eventBus().request(Addresses.RULES_REMOVE, new JsonObject().put("name", rule), source(taskId));
    }

    /**
     * The last task to settle (none runs any more) puts the master switch back: when the switch is the tasks'
     * ({@link ChangeLog#tasksSwitch}: the newest word on it this node logged is a task switching chaos on, this one or
     * an overlapping one that settled while this one ran, or a run's or an experiment's end that left it to the tasks,
     * {@link ChangeLog#KEPT_ON_FOR}), chaos is still on, and no orchestration runs, chaos goes off again. Chaos someone
     * else switched on or asked for, or on before, stays on (a run's end that left it theirs says so,
     * {@link ChangeLog#KEPT_ON}). Answers true when an orchestration's run held it back (its step is the newest word on
     * the switch, or it runs with chaos on): it is to be tried again once that run has ended, which says whose it is.
     */
    Future<Boolean> settle(String taskId) {
      return vertx.eventBus().<JsonObject>request(Addresses.CHAOS_CHANGES, new JsonObject().put("limit", 200)).compose(reply -> {
        io.vertx.core.json.JsonArray changes = reply.body().getJsonArray("changes", new io.vertx.core.json.JsonArray());
        // a run's end that found the switch off, or the tasks', and left it on or put it back for them handed it to them
        if (!ChangeLog.tasksSwitch(changes)) {
          // a run's step (its pause) is the newest word: its end says whose the switch is, so this is tried again then
          return !ChangeLog.runsSwitch(changes) ? Future.succeededFuture(false)
              : vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATION_STATUS, new JsonObject())
                  .map(run -> run.body().getBoolean("is_running", false)).otherwise(false);
        }
        return vertx.eventBus().<JsonObject>request(Addresses.CHAOS_STATUS, null).compose(status -> !status.body().getBoolean("enabled", false)
            ? Future.succeededFuture(false)
            : vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATION_STATUS, new JsonObject())
                .map(run -> run.body().getBoolean("is_running", false)).otherwise(false)
                .compose(orchestrating -> orchestrating ? Future.succeededFuture(true)
                    : vertx.eventBus().request(Addresses.CHAOS_DISABLE, null, source(taskId)).map(false)));
      });
    }

    private DeliveryOptions source(String taskId) {
      return new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, TaskRules.source(taskId));
    }
  }
}
