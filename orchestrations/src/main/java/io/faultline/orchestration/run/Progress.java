package io.faultline.orchestration.run;

import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.Step;
import java.util.List;

/**
 * How far a run is, 0..1. Each plain step that runs or is skipped is one unit, in branches too; a
 * conditional step counts as its longer branch until its condition picks one, then as that branch. A
 * looping run counts iterations too (with {@code max_iterations: 0}, the current iteration only).
 */
final class Progress {

  private final List<Step> steps;
  private final boolean parallel;
  private final int iterations;
  private int completedIterations;
  private int planned;
  private int done;

  Progress(Orchestration orchestration) {
    this.steps = orchestration.steps();
    this.parallel = orchestration.parallel();
    this.iterations = orchestration.loop() ? orchestration.maxIterations() : 1;
    this.planned = units(steps);
  }

  /** An iteration begins at step {@code from} (not 0 when a run is resumed mid-iteration). */
  void iterationStarted(int from) {
    planned = units(steps);
    done = parallel ? 0 : units(steps.subList(0, from));
  }

  void iterationDone() {
    completedIterations++;
    done = planned;
  }

  void stepDone() {
    done++;
  }

  /** {@code conditional} chose {@code branch}: the run plans that branch's units instead of the longer one's. */
  void branchChosen(Step conditional, List<Step> branch) {
    planned -= units(conditional) - units(branch);
  }

  double value() {
    double iteration = planned == 0 ? 1.0 : Math.min(1.0, (double) done / planned);
    if (iterations == 0) {
      return iteration;
    }
    return Math.min(1.0, (Math.min(completedIterations, iterations - 1) + iteration) / iterations);
  }

  private int units(List<Step> list) {
    return list.stream().mapToInt(this::units).sum();
  }

  private int units(Step step) {
    if (!step.conditional()) {
      return 1;
    }
    return parallel ? 0 : Math.max(units(step.thenSteps()), units(step.elseSteps()));
  }
}
