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
 * measured over its own duration and checked.
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
    run.stepStarted(String.join(" + ", plain.stream().map(Step::name).toList()), Map.of());
    plain.forEach(s -> run.state().variables.putAll(s.variables()));
    long from = run.clock().millis();
    Map<String, Object> config = merged(plain);
    return run.hooks("pre_step", hooks(plain, true)).compose(hooksOk -> {
      if (!run.running()) { // stopped while the hooks ran: as StepRunner, cut short and nothing applied
        plain.forEach(steps::notBegun);
        return Future.succeededFuture(false);
      }
      if (!hooksOk) { // as StepRunner: no chaos applied, each step failed at once
        long now = run.clock().millis();
        plain.forEach(step -> run.record(steps.result(step, "failed", now, now, new JsonObject(), List.of(),
            StepRunner.PRECONDITION_FAILED, null), true));
        return Future.succeededFuture(plain.stream().allMatch(Step::continueOnFailure));
      }
      return run.control("an answer on " + Addresses.CHAOS_SET, bus -> bus.apply(config))
          .compose(applied -> holdEach(plain, 0).map(v -> (String) null),
              failure -> Future.succeededFuture("the parallel steps could not apply: " + failure.getMessage()))
          .compose(problem -> measureEach(plain, from, problem))
          .compose(go -> !run.running() ? Future.succeededFuture(false)
              : run.hooks("post_step", hooks(plain, false)).map(ok -> go && ok));
    });
  }

  private Map<String, Object> merged(List<Step> steps) {
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Step step : steps) {
      merged = ChaosJson.refine(merged, run.scenarios().chaosOf(step));
    }
    return merged;
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

  private Future<Boolean> measureEach(List<Step> plain, long from, String problem) {
    long now = run.clock().millis();
    boolean[] go = {true};
    return AsyncLoop.each(run.context(), plain, 0, (i, step) -> {
      double seconds = run.scenarios().durationOf(step);
      long to = Math.min(from + (long) (seconds * 1000), now);
      return run.measure(from, to).map(metrics -> {
        run.state().measured(metrics);
        if (steps.cutShort(from, to, seconds)) {
          run.record(steps.result(step, run.statusName(), from, to, metrics, List.of(), steps.cutShortWhy(from, to, seconds), null), true);
          go[0] = false;
          return true;
        }
        List<AssertionResult> assertions = run.check(step.assertions(), metrics);
        boolean passed = problem == null && assertions.stream().allMatch(AssertionResult::passed);
        String error = problem != null ? problem : passed ? null : "an assertion failed";
        run.record(steps.result(step, passed ? "succeeded" : "failed", from, to, metrics, assertions, error, null), true);
        go[0] &= passed || step.continueOnFailure();
        return true;
      });
    }).map(v -> go[0]);
  }

  private static List<Hook> hooks(List<Step> steps, boolean pre) {
    return steps.stream().flatMap(s -> (pre ? s.preHooks() : s.postHooks()).stream()).toList();
  }
}
