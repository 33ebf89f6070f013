package io.faultline.orchestration.run;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ChangeLog;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.model.Assertion;
import io.faultline.orchestration.model.Hook;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.Step;
import io.faultline.orchestration.report.AssertionResult;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.report.StepResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One execution of an orchestration on this node:
 * <pre>
 *   read the config to restore ─▶ pre_orchestration hooks ─▶ iterations (a loop) of steps
 *     ─▶ post_orchestration hooks ─▶ restore the config ─▶ measure the run, global assertions ─▶ report
 * </pre>
 * Steps apply their chaos through the control addresses (the orchestrator never touches the chaos
 * state itself), wait on the {@link RunClock}, then read what the node's real traffic saw during the
 * step ({@link MetricNames#WINDOW_ADDRESS}). However the run ends (its last step, a failed step, a stop, the
 * {@code abort_when} guard, an error, or the {@link Watchdog} when something it waits for hangs) the
 * config that was active before it is put back. A run with a {@link RunScope} (a distributed task's item)
 * changes only its item's rule, for its node ({@link ScopedControlBus}), and its end removes that rule.
 */
public final class Run {

  /** Told what a run does as it does it. */
  public interface Listener extends HookRunner.Listener {
    /** The run's status ({@link #status()}) after something changed. */
    void progress(JsonObject status);

    /**
     * A step ended with {@code result} (a conditional step once its branch ran), in the run of {@code orchestration}:
     * every step, where the report keeps the newest {@link io.faultline.orchestration.report.RunReport#KEPT_STEPS}.
     */
    default void stepEnded(Orchestration orchestration, StepResult result) {
    }
  }

  private static final Logger LOG = Logger.getLogger(Run.class.getName());

  private final Orchestration orchestration;
  private final String id;
  private final RunClock clock;
  private final RunScope scope;
  private final ControlBus bus;
  private final HookRunner hooks;
  private final Listener listener;
  private final Watchdog watchdog;
  private final RunState state;
  private final Results results = new Results();
  private final Progress progress;
  private final StepRunner steps = new StepRunner(this);
  private final ParallelRunner parallel = new ParallelRunner(this, steps);
  private final Promise<RunReport> done = Promise.promise();
  private final AbortGuard guard;
  private final Restore restore;
  private Context context;
  private java.util.function.Function<JsonObject, Future<Boolean>> checkpoints;
  /** Another node took the run over (this one was deposed as leader): it ends here without a trace. */
  private boolean abandoned;
  private KnownScenarios scenarios = new KnownScenarios();
  private JsonObject before;
  private String status = "running";
  private String currentStep;
  private int iteration;
  private long startedAt;
  private long endedAt;
  private boolean ending;
  /** Chaos was switched off by someone else while the run went on: it stopped, and what they did stays. */
  private boolean killed;
  private final io.vertx.core.eventbus.EventBus eventBus;
  private io.vertx.core.eventbus.MessageConsumer<JsonObject> killSwitch;
  private final Waits waits;
  private int resumeIteration;
  private int resumeStep;

  public Run(Vertx vertx, Orchestration orchestration, String id, RunClock clock, HookRunner hooks, Listener listener) {
    this(vertx, orchestration, id, clock, hooks, listener, null);
  }

  /**
   * A run whose chaos is confined to {@code scope}'s node (a distributed task's item, see
   * {@link ScopedControlBus}); {@code scope} null for the node's (in a cluster, the cluster's) whole config.
   */
  public Run(Vertx vertx, Orchestration orchestration, String id, RunClock clock, HookRunner hooks, Listener listener, RunScope scope) {
    this.orchestration = orchestration;
    this.id = id;
    this.clock = clock;
    this.scope = scope;
    this.bus = ControlBus.of(vertx.eventBus(), id, scope);
    this.eventBus = vertx.eventBus();
    this.hooks = hooks;
    this.listener = listener;
    this.watchdog = new Watchdog(clock, this::overdue);
    this.waits = new Waits(clock, watchdog);
    this.state = new RunState(clock, watchdog, orchestration.variables());
    this.progress = new Progress(orchestration);
    // the guard's window never reaches back before the run (errors from before it started aborted a healthy run), and
    // it counts every request of the run that ended in it: one slower than the window (a 15 s delay in a 10 s window)
    // was never counted when only those that started in the window were, and a guard on latency never fired
    this.guard = new AbortGuard(orchestration.abortWhen(), clock, (from, to) -> window(Math.max(from, startedAt), to, startedAt),
        metrics -> Conditions.holds(orchestration.abortWhen().condition(), context(metrics)), metrics -> {
          state.error("aborted: abort_when held for " + orchestration.abortWhen().forSeconds() + " s (" + metrics.encode() + ")");
          stop("aborted");
        });
    this.restore = new Restore(bus, clock, watchdog, why -> {
      LOG.severe(() -> "orchestration run " + id + ": " + why);
      state.error(why);
    });
    this.startedAt = clock.millis();
  }

  public String id() {
    return id;
  }

  /**
   * Where to hand the run's state before each step, so another node can resume it (see {@link #resume}):
   * {@code sink} answers whether the run is still this node's to run (false once another node resumed it).
   */
  public Run checkpointTo(java.util.function.Function<JsonObject, Future<Boolean>> sink) {
    this.checkpoints = sink;
    return this;
  }

  /**
   * Whether another node took this run over while it went on here: a leader frozen (a long pause, a stopped
   * VM) past the cluster's failure timeout wakes to find its run resumed elsewhere. It then ends at once,
   * changing nothing more (no step, no hook, no restore: the chaos is the other node's now) and leaving no
   * report or history of its own.
   */
  public boolean abandoned() {
    return abandoned;
  }

  /**
   * Puts back the config a checkpointed run found (its {@code before}), as the run's end would have, for a run this node
   * cannot resume. Completes when done; fails when the config could not be put back (the kill switch refuses it).
   */
  public static Future<Void> restoreBefore(io.vertx.core.eventbus.EventBus bus, JsonObject checkpoint) {
    JsonObject before = checkpoint.getJsonObject("before");
    return before == null ? Future.succeededFuture()
        : ControlBus.of(bus, checkpoint.getString("run_id"), null).restore(before).mapEmpty();
  }

  /** Takes over a run another node checkpointed: it goes on at the step that was running there. */
  public Run resume(JsonObject checkpoint) {
    Checkpoints.Position at = Checkpoints.read(checkpoint, state, results, clock.millis());
    startedAt = at.startedAt();
    resumeIteration = at.iteration();
    resumeStep = at.nextStep();
    before = at.before();
    return this;
  }

  /**
   * Hands the run's state to the checkpoint sink, if there is one (built only then: it holds every kept
   * result), and answers whether the run goes on here: when another node has taken it over, it is abandoned.
   */
  private Future<Boolean> checkpoint(int nextStep) {
    if (checkpoints == null) {
      return Future.succeededFuture(true);
    }
    return checkpoints.apply(Checkpoints.write(id, new Checkpoints.Position(startedAt, iteration, nextStep, before), state, results))
        .map(ours -> {
          if (!ours && running()) {
            LOG.warning(() -> "orchestration run " + id + " was taken over by another node while it went on here (this node was"
                + " cut off from the cluster): it ends here, and goes on there");
            abandoned = true;
            killed = true; // nothing restored: the chaos is the other node's run's now
            stop("abandoned");
          }
          return ours;
        });
  }

  /** Runs to the end, on the calling event loop; the future answers the report. */
  public Future<RunReport> start() {
    context = Vertx.currentContext();
    state.confineTo(context, startedAt);
    boolean resumed = resumeIteration > 0;
    watchdog.start();
    if (scope != null) {
      state.log("task " + scope.task() + " item " + scope.index() + " on node " + scope.node() + ": every step's chaos is the rule "
          + scope.rule() + ", for this node only");
    }
    killSwitch = eventBus.consumer(Addresses.CHAOS_CHANGED, message -> killSwitch(message.body()));
    watchdog.expect("the config to restore", ControlBus.TIMEOUT_MS);
    (resumed ? Future.succeededFuture(before) : bus.before())
        .compose(config -> {
          before = config;
          return control("an answer on " + Addresses.SCENARIO_LIST, ControlBus::scenarios);
        })
        .compose(list -> {
          scenarios = KnownScenarios.from(list);
          if (!running()) {
            // stopped (or ended by the watchdog) while it started: no pre_orchestration hooks (their webhook said "starting"
            // to a run already stopped), and no guard (started after the end's cancel, it polled every 0.5 s for good)
            return Future.succeededFuture(true);
          }
          guard.start();
          return resumed ? Future.succeededFuture(true) : hooks("pre_orchestration", List.of());
        })
        .compose(ok -> {
          if (!ok) {
            // A required pre_orchestration hook is a precondition: without it the steps do not run. A stop that
            // ended its command (a warm-up) is the stop, not a failed precondition.
            if (running()) {
              state.error("a required pre_orchestration hook failed: the steps did not run");
              status = "failed";
            }
            return Future.succeededFuture();
          }
          return iterations(resumed ? resumeIteration : 1);
        })
        .compose(v -> ending || abandoned ? Future.succeededFuture(true) : cleanUp())
        .onSuccess(ok -> {
          if (!ok && running()) { // a required clean-up (a check that the system recovered) failed: so did the run
            state.error("a required post_orchestration hook failed");
            status = "failed";
          }
        })
        .onFailure(e -> {
          state.error(e.getMessage());
          if (running()) {
            status = "failed";
          }
        })
        .onComplete(v -> end());
    return done.future();
  }

  /**
   * The {@code post_orchestration} hooks, the run's clean-up: also after a stop, an abort or the kill switch, where they
   * matter most, so a stop does not end their commands (it ended them at once, as "the run stopped"); each is bounded by
   * its own timeout, under the watchdog. A node that is stopping still ends them.
   */
  private Future<Boolean> cleanUp() {
    cleaningUp = true;
    guard.cancel(); // the run is over: its abort guard has nothing left to abort
    if (!nodeStopping) {
      state.cleaningUp();
      watchdog.cleaningUp();
    }
    return hooks("post_orchestration", List.of());
  }

  /** The clean-up has begun: a stop then changes nothing (it would end what the clean-up runs to its end anyway). */
  private boolean cleaningUp;

  /**
   * Stops the run because its node is stopping: said among its errors, so what it ended (an A/B test) says why. Its
   * clean-up hooks, running after an earlier stop, are ended too.
   */
  public void stopForShutdown() {
    nodeStopping = true;
    if (running() && !cleaningUp) {
      state.error("the node stopped while the run was going");
      stop("stopped");
    } else if (!ending) {
      endCleanUp("the node stopped during the run's clean-up", "stopped");
    }
  }

  /**
   * Stops the run at once because what it ran for is no longer its own (a task item ended, or handed to another run,
   * while this node was cut off from the cluster), {@code why} said among its errors. When {@code leaveChaos}, its chaos
   * is another run's now (the item's rule has the same name): it is not undone and no clean-up hook runs; otherwise the
   * run ends as {@link #stopNow} ends it, its chaos undone.
   */
  public void giveUp(String why, boolean leaveChaos) {
    if (ending) {
      return;
    }
    LOG.warning(() -> "orchestration run " + id + " gives up: " + why);
    if (leaveChaos) {
      abandoned = true;
    }
    if (cleaningUp) {
      endCleanUp(why, "stopped");
    } else {
      state.error(why);
      stop("stopped");
    }
  }

  /**
   * Stops the run at once, its clean-up too: a task's part ends at once when the task is cancelled (or the kill switch
   * cancels it), where a user's stop lets the clean-up of a run whose steps are done run to its end.
   */
  public void stopNow(String why) {
    if (cleaningUp && !ending) {
      endCleanUp("the run was stopped during its clean-up", why);
    } else {
      stop(why);
    }
  }

  /** Ends the clean-up's hooks now (their commands too); a run whose steps were done is {@code why}, saying {@code error}. */
  private void endCleanUp(String error, String why) {
    if (running()) {
      state.error(error);
      status = why;
    }
    state.markStopping();
    state.endCleanUp();
    watchdog.stopping();
  }

  /** True while the post_orchestration hooks (the run's clean-up) run. */
  public boolean cleaningUp() {
    return cleaningUp && !ending;
  }

  /** Set when the node stops: the clean-up hooks are ended as any others. */
  private boolean nodeStopping;

  /** Stops the run at once (the current step is cut short); {@code why} ({@code stopped}, {@code aborted}) becomes its status. */
  public void stop(String why) {
    if (!running() || cleaningUp) {
      return;
    }
    status = why;
    state.markStopping();
    watchdog.stopping();
    waits.wake();
  }

  /**
   * Switching chaos off is the kill switch: done by anyone but this run (the console, the API, a script)
   * while it goes on, the run stops, and the config is not put back (that could switch chaos on again); a
   * disable pressed while the run's own step had chaos off is one too (its next step would switch chaos on);
   * a task's item still removes its own rule. Its own steps that switch chaos off are not a kill. For a task's
   * item, as for its task, neither are an orchestration's or an experiment's (the node's own run pausing chaos in a
   * step): the switch is shared, and its chaos goes on when the switch is on again. A task's is (only a settled
   * task's end switches chaos off, and an item still running then would go on with no chaos, unsaid).
   */
  private void killSwitch(JsonObject published) {
    JsonObject change = published.getJsonObject("change");
    if (!running() && !cleaningUp() || change == null || change.getJsonArray("diff") == null) {
      return; // during the clean-up of a stopped run too: its end must not switch chaos back on
    }
    // a disable of someone's is the kill switch even when chaos was off already (the run's own pause)
    boolean off = Boolean.FALSE.equals(ChangeLog.switchedTo(change)) || ChangeLog.killSwitch(change);
    String source = ChangeLog.origin(change);
    if (off && !source.equals(bus.source()) && !(scope != null && ChangeLog.STEERERS.contains(change.getString("source")))) {
      killed = true;
      if (cleaningUp) { // the steps are over: the run is what they made it, and chaos stays off
        state.error("chaos was switched off (" + source + ") during the run's clean-up: chaos stays off");
        return;
      }
      state.error("chaos was switched off (" + source + ") while the run went on: the run stopped, and chaos stays off");
      stop("stopped");
    }
  }

  /** True while the run is going on (not once it is stopping). */
  boolean running() {
    return status.equals("running") && !ending;
  }

  /** True until the run has ended (restored and reported). */
  public boolean active() {
    return endedAt == 0;
  }

  public JsonObject status() {
    return new JsonObject()
        .put("is_running", active())
        .put("run_id", id)
        .put("name", orchestration.name())
        .put("status", status)
        .put("current_step", currentStep)
        .put("iteration", iteration)
        .put("steps_done", results.stepsDone())
        .put("progress", progress.value())
        .put("started_at", startedAt)
        // what history keeps of a run a kill interrupts is what its progress said: its tags and mode too
        .put("mode", orchestration.parallel() ? "parallel" : "sequential")
        .put("tags", new io.vertx.core.json.JsonArray(new ArrayList<>(orchestration.tags())));
  }

  private Future<Void> iterations(int first) {
    iteration = first - 1;
    return AsyncLoop.repeat(context, () -> {
      if (!running()) {
        return Future.succeededFuture(false);
      }
      iteration++;
      int from = iteration == resumeIteration ? resumeStep : 0;
      progress.iterationStarted(from);
      Future<Boolean> ran = checkpoint(from).compose(ours -> !ours ? Future.succeededFuture(false)
          : orchestration.parallel() ? parallel.run(orchestration.steps())
          : AsyncLoop.each(context, orchestration.steps(), from, (i, step) -> !running() ? Future.succeededFuture(false)
              : steps.run(step).compose(go -> running() ? checkpoint(i + 1).map(ours2 -> go && ours2) : Future.succeededFuture(go))));
      return ran.map(go -> {
        if (go) {
          progress.iterationDone();
        }
        boolean more = orchestration.loop() && (orchestration.maxIterations() == 0 || iteration < orchestration.maxIterations());
        return go && more && running();
      });
    });
  }

  // -- what the step runners use

  Context context() {
    return context;
  }

  RunClock clock() {
    return clock;
  }

  RunState state() {
    return state;
  }

  Results results() {
    return results;
  }

  Progress progress() {
    return progress;
  }

  int iteration() {
    return iteration;
  }

  /** {@code running}, or how the run ended or is ending: {@code succeeded}, {@code failed}, {@code stopped}, {@code aborted}. */
  String statusName() {
    return status;
  }

  KnownScenarios scenarios() {
    return scenarios;
  }

  Conditions.Context context(JsonObject metrics) {
    return new Conditions.Context(state.variables, results.previousSucceeded(), metrics);
  }

  void stepStarted(String name) {
    currentStep = name;
    publish();
  }

  List<AssertionResult> check(List<Assertion> assertions, JsonObject metrics) {
    return AssertionChecks.check(assertions, metrics, context(metrics), state.customMetrics, results);
  }

  /** Records a step's result; {@code counts} when it is a plain step that ran (see {@link Results#add}). */
  void record(StepResult result, boolean counts) {
    results.add(result, counts);
    listener.stepEnded(orchestration, result);
    boolean cut = "stopped".equals(result.status()) || "aborted".equals(result.status());
    if ((counts || "skipped".equals(result.status())) && !cut) {
      progress.stepDone(); // a step cut short did not run its course: a run stopped in its only step is not at 100 %
    }
    if (result.error() != null && "failed".equals(result.status())) {
      state.error("step " + result.name() + ": " + result.error());
    }
    recorded(result.status());
  }

  /** Puts a conditional step's {@code result} where its {@code placeholder} was ({@link Results#fill}). */
  void fill(StepResult placeholder, StepResult result) {
    results.fill(placeholder, result);
    listener.stepEnded(orchestration, result);
  }

  /** After a result was recorded: the variables conditions read, and progress. */
  void recorded(String stepStatus) {
    state.variables.put("all_steps_succeeded", results.allSucceeded());
    state.variables.put("last_step_status", stepStatus);
    publish();
  }

  /** A control request ({@code request} of the run's bus), watched: {@code what} says what the run waits for if it hangs. */
  Future<JsonObject> control(String what, Function<ControlBus, Future<JsonObject>> request) {
    watchdog.expect(what, ControlBus.TIMEOUT_MS);
    return request.apply(bus).onFailure(this::refusedForTheKillSwitch);
  }

  /**
   * The control verticle refused a change of this run's for the kill switch (pressed while the change was on its way):
   * that is the kill switch itself, heard before its announcement. The run stops there and puts nothing back.
   */
  private void refusedForTheKillSwitch(Throwable failure) {
    if (!killed && io.faultline.chaos.control.KilledRuns.refused(failure)) {
      killed = true;
      state.error("chaos was switched off (the kill switch) while the run went on: the run stopped, and chaos stays off");
      stop("stopped");
    }
  }

  /** What the node's traffic saw between {@code from} and {@code to}; an error in place of metrics when the node cannot say. */
  Future<JsonObject> measure(long from, long to) {
    watchdog.expect("the traffic metrics", ControlBus.TIMEOUT_MS);
    return window(from, to);
  }

  private Future<JsonObject> window(long from, long to) {
    return window(from, to, from);
  }

  private Future<JsonObject> window(long from, long to, long startedAfter) {
    return bus.window(from, to, startedAfter)
        .otherwise(e -> new JsonObject().put("error", "no traffic metrics on this node: " + e.getMessage()));
  }

  /** Runs the global hooks of {@code type}, then {@code own}; answers false when a required one failed. */
  Future<Boolean> hooks(String type, List<Hook> own) {
    return hooks(type, own, context(state.lastMetrics));
  }

  /**
   * Runs the {@code post_step} hooks of a step that has just held ({@code own}: its own, after the global ones):
   * their conditions' "previous step" is that step, {@code succeeded} as far as is known before they run (its
   * window's assertions), so 004's {@code notify_on_failure} fires right after the step that failed (it fired after
   * the next one, and never for a failure that ended the run).
   */
  Future<Boolean> postStepHooks(List<Hook> own, boolean succeeded) {
    // and ${last_step_status} is that step's as far as is known (it was the step before's, or nothing after the first)
    state.variables.put("last_step_status", succeeded ? "succeeded" : "failed");
    return hooks("post_step", own, new Conditions.Context(state.variables, succeeded, state.lastMetrics));
  }

  /** Whether a step with {@code own} post_step hooks has any to run after it, the orchestration's included. */
  boolean postStepHooksFor(List<Hook> own) {
    return !own.isEmpty() || orchestration.hooks().stream().anyMatch(h -> "post_step".equals(h.type()));
  }

  private Future<Boolean> hooks(String type, List<Hook> own, Conditions.Context context) {
    List<Hook> all = new ArrayList<>(orchestration.hooks().stream().filter(h -> type.equals(h.type())).toList());
    all.addAll(own);
    return hooks.run(type, all, state, c -> Conditions.holds(c, context), listener);
  }

  /** Waits {@code seconds} on the clock, or less if the run is stopped meanwhile. */
  Future<Void> sleep(double seconds) {
    return running() ? waits.sleep(seconds) : Future.succeededFuture();
  }

  private void overdue(String why) {
    LOG.warning(() -> "orchestration run " + id + ": " + why);
    state.error(why);
    if (status.equals("running")) {
      status = "failed";
    }
    end();
  }

  // -- the end: however the run got here, the config is restored first

  private void end() {
    if (ending) {
      return;
    }
    ending = true;
    guard.cancel();
    waits.wake();
    // abandoned: the chaos is another's now (the leader's run elsewhere, or a task item's node), not to be undone here
    (abandoned || killed && scope == null ? Future.<Void>succeededFuture() : restore.restore(before)).onComplete(v -> finish());
  }

  private void finish() {
    watchdog.cancel();
    if (killSwitch != null) {
      killSwitch.unregister();
    }
    endedAt = clock.millis();
    window(startedAt, endedAt).onComplete(ar -> {
      JsonObject metrics = ar.succeeded() ? ar.result() : new JsonObject();
      metrics.put("max_error_rate", results.max("error_rate")).put("max_avg_latency", results.max("avg_latency"))
          .put("max_p99_latency", results.max("p99_latency"));
      List<AssertionResult> global = check(orchestration.assertions(), metrics);
      boolean passed = global.stream().allMatch(AssertionResult::passed);
      if (status.equals("running")) {
        status = results.failures() == 0 && passed && !restore.failed() ? "succeeded" : "failed";
        if (!passed) {
          state.error("a global assertion failed");
        }
      }
      currentStep = null;
      publish();
      done.complete(new RunReport(id, orchestration.name(), orchestration.description(), orchestration.tags(),
          orchestration.parallel() ? "parallel" : "sequential", status, startedAt, endedAt, iteration, results.kept(), metrics,
          global, state.customMetrics, state.variablesJson(), state.errors.list(), state.log.list(), state.warnings.list(),
          results.omitted(), null));
    });
  }

  private void publish() {
    listener.progress(status());
  }
}
