package io.faultline.orchestration.run;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.model.Hook;
import io.faultline.orchestration.model.Step;
import io.faultline.orchestration.report.AssertionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the steps of a {@code parallel: true} orchestration: their chaos merged and applied together, each
 * step's part of it held for that step's duration (narrowed as the shorter ones end), each step then
 * measured over its own duration, followed by its post_step hooks, and checked.
 * Conditional steps have no place in a parallel run and are left out.
 */
final class ParallelRunner {

  private final Run run;
  private final StepRunner steps;

  ParallelRunner(Run run, StepRunner steps) {
    this.run = run;
    this.steps = steps;
  }

  /** Runs one iteration; answers whether the run goes on. */
  Future<Boolean> run(List<Step> all) {
    List<Step> plain = all.stream().filter(s -> !s.conditional()).map(steps::filled).filter(java.util.Objects::nonNull).toList();
    Map<String, Object> own = new LinkedHashMap<>();
    plain.forEach(s -> own.putAll(s.variables()));
    Runnable unscoped = run.state().scoped(own);
    run.stepStarted(String.join(" + ", plain.stream().map(Step::name).toList()));
    Map<String, Object> config = merged(plain);
    return together(plain, config).andThen(ended -> unscoped.run());
  }

  private Future<Boolean> together(List<Step> plain, Map<String, Object> config) {
    return run.hooks("pre_step", preHooks(plain)).compose(hooksOk -> {
      if (!run.running()) { // stopped while the hooks ran: as StepRunner, cut short and nothing applied
        plain.forEach(steps::notBegun);
        return Future.succeededFuture(false);
      }
      if (!hooksOk) { // as StepRunner: no chaos applied, each step failed at once
        return failedBefore(plain, StepRunner.PRECONDITION_FAILED);
      }
      // each step's window starts once the chaos is in force, as a sequential step's does (it started before the
      // pre_step hooks, and measured the traffic they waited through as the step's)
      return run.control("an answer on " + Addresses.CHAOS_SET, bus -> bus.apply(config))
          .compose(applied -> {
            long from = run.clock().millis();
            return withoutEnded(plain).compose(v -> holdEach(plain, 0)).compose(v -> measureEach(plain, from));
          }, failure -> failedBefore(plain, "the parallel steps could not apply: " + failure.getMessage()));
    });
  }

  /** As StepRunner: the steps fail before their chaos is in force, at once, and their post_step hooks do not run. */
  private Future<Boolean> failedBefore(List<Step> plain, String why) {
    long now = run.clock().millis();
    plain.forEach(step -> run.record(steps.result(step, "failed", now, now, new JsonObject(), List.of(), why, null), true));
    return Future.succeededFuture(plain.stream().allMatch(Step::continueOnFailure));
  }

  private Map<String, Object> merged(List<Step> steps) {
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Step step : steps) {
      merged = ChaosJson.refine(merged, run.scenarios().chaosOf(step));
    }
    return merged;
  }

  /**
   * Takes off at once the chaos of the steps that last no time (an inline config without {@code duration_seconds}): they
   * end as they begin, where they stayed on until the first of the others ended.
   */
  private Future<Void> withoutEnded(List<Step> plain) {
    List<Step> lasting = plain.stream().filter(s -> run.scenarios().durationOf(s) > 0).toList();
    if (lasting.isEmpty() || lasting.size() == plain.size() || !run.running()) {
      return Future.succeededFuture();
    }
    return run.control("an answer on " + Addresses.CHAOS_SET, bus -> bus.apply(merged(lasting))).mapEmpty();
  }

  /**
   * Holds each step's chaos for its own duration: the merged chaos of the steps still going, narrowed as each
   * ends (a 2 s step's latency stayed on for a 4 s step's whole run, and that step measured it as its own).
   */
  private Future<Void> holdEach(List<Step> plain, double elapsed) {
    double next = plain.stream().mapToDouble(run.scenarios()::durationOf).filter(d -> d > elapsed).min().orElse(-1);
    if (next < 0 || !run.running()) {
      return Future.succeededFuture();
    }
    return run.sleep(next - elapsed).compose(v -> {
      List<Step> going = plain.stream().filter(s -> run.scenarios().durationOf(s) > next).toList();
      if (going.isEmpty() || !run.running()) {
        return Future.succeededFuture();
      }
      return run.control("an answer on " + Addresses.CHAOS_SET, bus -> bus.apply(merged(going))).compose(applied -> holdEach(plain, next));
    });
  }

  /**
   * Measures each step over its own window, runs its post_step hooks (the global ones and its own, as after a
   * sequential step; a required one that fails fails that step, where it was run once for all steps after they
   * had been recorded as passed), and checks it.
   */
  private Future<Boolean> measureEach(List<Step> plain, long from) {
    long now = run.clock().millis();
    boolean[] go = {true};
    return AsyncLoop.each(run.context(), plain, 0, (i, step) -> {
      double seconds = run.scenarios().durationOf(step);
      long to = Math.min(from + (long) (seconds * 1000), now);
      return run.measure(from, to).compose(metrics -> {
        run.state().measured(metrics);
        if (steps.cutShort(from, to, seconds)) {
          run.record(steps.result(step, run.statusName(), from, to, metrics, List.of(), steps.cutShortWhy(from, to, seconds), null), true);
          go[0] = false;
          return Future.succeededFuture(true);
        }
        if (!run.running() && run.postStepHooksFor(step.postHooks())) { // one with none, which ran its course, is checked below
          String why = "cut short by " + steps.cutBy() + " before its post_step hooks ran";
          run.record(steps.result(step, run.statusName(), from, to, metrics, List.of(), why, null), true);
          go[0] = false;
          return Future.succeededFuture(true);
        }
        if (!run.running()) { // it held its whole duration before the stop came, and has no post_step hooks to cut
          List<AssertionResult> assertions = run.check(step.assertions(), metrics);
          boolean passed = assertions.stream().allMatch(AssertionResult::passed);
          run.record(steps.result(step, passed ? "succeeded" : "failed", from, to, metrics, assertions,
              passed ? null : "an assertion failed", null), true);
          go[0] = false;
          return Future.succeededFuture(true);
        }
        boolean soFar = run.check(step.assertions(), metrics).stream().allMatch(AssertionResult::passed);
        return run.postStepHooks(step.postHooks(), soFar).map(ok -> {
          List<AssertionResult> assertions = run.check(step.assertions(), metrics); // again: a hook may have recorded a metric
          boolean passed = ok && assertions.stream().allMatch(AssertionResult::passed);
          String error = !run.running() ? "cut short by " + steps.cutBy() + " while its post_step hooks ran"
              : !ok ? "a required post_step hook failed" : passed ? null : "an assertion failed";
          run.record(steps.result(step, !run.running() ? run.statusName() : passed ? "succeeded" : "failed", from, to, metrics,
              assertions, error, null), true);
          go[0] &= run.running() && (passed || step.continueOnFailure());
          return true;
        });
      });
    }).map(v -> go[0]);
  }

  private static List<Hook> preHooks(List<Step> steps) {
    return steps.stream().flatMap(s -> s.preHooks().stream()).toList();
  }
}
