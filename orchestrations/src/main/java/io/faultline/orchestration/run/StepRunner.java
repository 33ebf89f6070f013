package io.faultline.orchestration.run;

import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.model.Step;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.parse.Templates;
import io.faultline.orchestration.report.AssertionResult;
import io.faultline.orchestration.report.StepResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one step of a sequential run:
 * <pre>
 *   condition? ─no─▶ skipped
 *      │yes
 *   delay_before_seconds ─▶ pre_step hooks ─(a required one failed: failed)─▶ apply its chaos ─▶ hold for duration_seconds
 *      ─▶ measure the window ─▶ post_step hooks ─▶ assertions ─▶ succeeded | failed
 * </pre>
 * A stop or the guard cuts the hold short: the step then ends {@code stopped} or {@code aborted}. A
 * conditional step runs the branch its condition picks and ends as that branch did.
 */
final class StepRunner {

  private final Run run;

  StepRunner(Run run) {
    this.run = run;
  }

  /** Runs {@code written} with its strings filled in from the run's variables; answers whether the run goes on. */
  Future<Boolean> run(Step written) {
    Step step = filled(written);
    if (step == null) {
      return Future.succeededFuture(written.continueOnFailure());
    }
    // the step's own variables count in its own condition too, as they do in its strings (reference 004's step scope)
    Runnable unscoped = run.state().scoped(step.variables());
    Conditions.Context context = run.context(run.state().lastMetrics);
    if (step.conditional()) {
      return conditional(step, Conditions.holds(step.condition(), context)).andThen(ended -> unscoped.run());
    }
    if (step.condition() != null && !Conditions.holds(step.condition(), context)) {
      unscoped.run();
      long now = run.clock().millis();
      run.record(result(step, "skipped", now, now, new JsonObject(), List.of(), "condition not met", null), false);
      return Future.succeededFuture(true);
    }
    run.stepStarted(step.name());
    return run.sleep(step.delayBeforeSeconds())
        .compose(v -> !run.running() ? notBegun(step) : run.hooks("pre_step", step.preHooks())
            // stopped while its hooks ran (a stop ends a hook's command, which a required hook then reports as a
            // failure): cut short, and nothing applied after the stop has put the config back
            .compose(hooksOk -> !run.running() ? notBegun(step) : hooksOk ? apply(step).compose(applied -> hold(step, null),
                failure -> failedBefore(step, "the scenario could not apply: " + failure.getMessage())) : failedBefore(step, PRECONDITION_FAILED)))
        .andThen(ended -> unscoped.run());
  }

  /**
   * A required pre_step hook failed: the step's chaos is not applied (it was, and held for the whole step,
   * against the precondition a user gates a step on), as the steps do not run after a failed required
   * pre_orchestration hook.
   */
  static final String PRECONDITION_FAILED = "a required pre_step hook failed: the step's chaos was not applied";

  /** The step fails before its chaos is in force (a failed precondition, chaos that could not apply); its post_step hooks do not run. */
  private Future<Boolean> failedBefore(Step step, String why) {
    long now = run.clock().millis();
    run.record(result(step, "failed", now, now, new JsonObject(), List.of(), why, null), true);
    return Future.succeededFuture(step.continueOnFailure());
  }

  /** The run was stopped while the step waited to begin: it is recorded as cut short, and the run goes no further. */
  Future<Boolean> notBegun(Step step) {
    long now = run.clock().millis();
    run.record(result(step, run.statusName(), now, now, new JsonObject(), List.of(), "cut short by " + cutBy() + " before it began", null),
        true);
    return Future.succeededFuture(false);
  }

  private Future<Boolean> hold(Step step, String problem) {
    long from = run.clock().millis();
    double seconds = run.scenarios().durationOf(step);
    return run.sleep(seconds).compose(v -> {
      long to = run.clock().millis();
      return run.measure(from, to).compose(metrics -> {
        run.state().measured(metrics);
        if (cutShort(from, to, seconds)) {
          run.record(result(step, run.statusName(), from, to, metrics, List.of(), cutShortWhy(from, to, seconds), null), true);
          return Future.succeededFuture(false);
        }
        boolean soFar = problem == null && run.check(step.assertions(), metrics).stream().allMatch(AssertionResult::passed);
        return run.postStepHooks(step.postHooks(), soFar).map(ok -> {
          if (!run.running()) {
            // stopped while its post_step hooks ran: cut short, not a pass (a stopped run's JUnit showed no failure)
            run.record(result(step, run.statusName(), from, run.clock().millis(), metrics, List.of(),
                "cut short by " + cutBy() + " while its post_step hooks ran", null), true);
            return false;
          }
          List<AssertionResult> assertions = run.check(step.assertions(), metrics); // again: a hook may have recorded a metric
          boolean passed = problem == null && ok && assertions.stream().allMatch(AssertionResult::passed);
          String error = problem != null ? problem : !ok ? "a required post_step hook failed" : passed ? null : "an assertion failed";
          run.record(result(step, passed ? "succeeded" : "failed", from, run.clock().millis(), metrics, assertions, error, null), true);
          return passed || step.continueOnFailure();
        });
      });
    });
  }

  private Future<Boolean> conditional(Step step, boolean then) {
    List<Step> branch = then ? step.thenSteps() : step.elseSteps();
    String which = then ? "then" : "else";
    run.progress().branchChosen(step, branch);
    long from = run.clock().millis();
    StepResult placeholder = run.results().reserve(result(step, "running", from, from, new JsonObject(), List.of(), null, which));
    int failuresBefore = run.results().failures();
    int doneBefore = run.results().stepsDone();
    return AsyncLoop.each(run.context(), branch, 0, (i, s) -> run.running() ? run(s) : Future.succeededFuture(false)).map(go -> {
      String status;
      String error = null;
      if (!run.running()) {
        status = run.statusName();
        error = "cut short by " + cutBy();
      } else if (run.results().failures() > failuresBefore) {
        status = "failed";
        error = "a step of the " + which + " branch failed";
      } else {
        status = run.results().stepsDone() > doneBefore ? "succeeded" : "skipped";
        error = status.equals("skipped") ? "no step of the " + which + " branch ran" : null;
      }
      run.fill(placeholder, result(step, status, from, run.clock().millis(), new JsonObject(), List.of(), error, which));
      run.recorded(status);
      return go;
    });
  }

  /**
   * Applies a step's chaos: a known scenario by name (started as itself), or the step's config: refining
   * the known scenario it names, or, when the name is not known, as the inline scenario it is (003).
   */
  private Future<JsonObject> apply(Step step) {
    if (step.config() == null && step.scenario() != null) {
      return run.control("an answer on " + Addresses.SCENARIO_START,
          bus -> bus.startScenario(step.scenario(), run.scenarios().chaosOf(step)));
    }
    Map<String, Object> chaos = run.scenarios().chaosOf(step);
    if (step.scenario() != null && run.scenarios().known(step.scenario())) {
      // the refined sections stand whole; naming the scenario too lets status say which one is active (it said none)
      chaos.put("scenario", step.scenario());
    }
    return run.control("an answer on " + Addresses.CHAOS_SET, bus -> bus.apply(chaos));
  }

  /**
   * {@code step} read again with the run's variables in its strings ({@code ${variables.x}} in its name,
   * scenario, config, condition, assertions), as they are when it starts; null (and the step recorded as
   * failed) when what the variables made of it is not a valid step.
   */
  Step filled(Step step) {
    if (step.source() == null || !Templates.hasPlaceholders(step.source())) {
      return step;
    }
    OrchestrationParser.StepResult again = OrchestrationParser.reparse(step, run.state().variables::get, run.state()::times);
    if (again.step() != null) {
      return again.step();
    }
    long now = run.clock().millis();
    run.record(result(step, "failed", now, now, new JsonObject(), List.of(),
        "with its variables filled in, " + again.problems().get(0), null), true);
    return null;
  }

  /** Whether a step that held from {@code from} to {@code to} of its {@code seconds} was cut short by a stop or the guard. */
  boolean cutShort(long from, long to, double seconds) {
    return !run.running() && to - from < (long) (seconds * 1000);
  }

  String cutShortWhy(long from, long to, double seconds) {
    String planned = seconds == (long) seconds ? Long.toString((long) seconds) : Double.toString(seconds);
    return String.format(Locale.ROOT, "cut short by %s after %.1f s of %s s", cutBy(), (to - from) / 1000.0, planned);
  }

  StepResult result(Step step, String status, long from, long to, JsonObject metrics, List<AssertionResult> assertions, String error,
      String branch) {
    return new StepResult(step.name(), run.iteration(), status, from, to, metrics, assertions, error, branch);
  }

  /** What cut the run short, in words: its status is {@code stopped} (a stop, the kill switch) or {@code aborted} (the guard). */
  String cutBy() {
    return "aborted".equals(run.statusName()) ? "the abort guard (abort_when)" : "a stop";
  }
}
