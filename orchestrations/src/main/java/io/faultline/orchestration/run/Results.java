package io.faultline.orchestration.run;

import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.report.StepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The step results of a run and what conditions and assertions ask of them (did the previous step
 * succeed, did all, how did step X end, the worst error rate), kept up to date as steps end so that a
 * long run costs the same per step at its end as at its start. Only the newest
 * {@link RunReport#KEPT_STEPS} results are kept for the report.
 */
final class Results {

  /** Step names remembered for step_succeeded/step_failed (names built from variables could otherwise grow without bound). */
  static final int MAX_NAMES = 10_000;

  private final List<StepResult> kept = new ArrayList<>();
  private final Map<String, String> lastStatus = new HashMap<>();
  private final Map<String, Double> maxima = new HashMap<>();
  private int omitted;
  private Boolean previousSucceeded;
  private boolean allSucceeded = true;
  private int stepsDone;
  private int failures;

  /**
   * Records {@code result}. A result that {@code counts} (a plain step that ran) moves "the previous
   * step" on and counts as done; skipped steps and conditional steps do not.
   */
  void add(StepResult result, boolean counts) {
    kept.add(result);
    if (kept.size() > RunReport.KEPT_STEPS) {
      kept.remove(0);
      omitted++;
    }
    account(result, counts);
  }

  /** A place for a result that is known only later (a conditional step, once its branch ran), so the report keeps its order. */
  StepResult reserve(StepResult placeholder) {
    kept.add(placeholder);
    return placeholder;
  }

  /** Puts {@code result} where {@code placeholder} was (if it is still kept) and accounts for it. */
  void fill(StepResult placeholder, StepResult result) {
    for (int i = kept.size() - 1; i >= 0; i--) {
      if (kept.get(i) == placeholder) {
        kept.set(i, result);
        break;
      }
    }
    account(result, false);
  }

  private void account(StepResult result, boolean counts) {
    if (lastStatus.size() < MAX_NAMES || lastStatus.containsKey(result.name())) {
      lastStatus.put(result.name(), result.status());
    }
    if (!"skipped".equals(result.status()) && !"succeeded".equals(result.status())) {
      allSucceeded = false;
    }
    if (counts) {
      previousSucceeded = "succeeded".equals(result.status());
      if (!"stopped".equals(result.status()) && !"aborted".equals(result.status())) {
        stepsDone++; // a step cut short did not run its course, as progress says too
      }
      if (result.failedOrCut()) {
        failures++;
      }
      for (String metric : List.of("error_rate", "avg_latency", "p99_latency")) {
        if (result.metrics().getValue(metric) instanceof Number n) {
          maxima.merge(metric, n.doubleValue(), Math::max);
        }
      }
    }
  }

  List<StepResult> kept() {
    return new ArrayList<>(kept);
  }

  int omitted() {
    return omitted;
  }

  Boolean previousSucceeded() {
    return previousSucceeded;
  }

  boolean allSucceeded() {
    return allSucceeded;
  }

  int stepsDone() {
    return stepsDone;
  }

  /** Steps that ran and failed or were cut short. */
  int failures() {
    return failures;
  }

  /** How step {@code name} ended the last time it ran, or {@code not run}. */
  String lastStatus(String name) {
    return lastStatus.getOrDefault(name, "not run");
  }

  /** The highest value of {@code metric} over the steps (0 before any). */
  /** The worst value of {@code metric} over the steps that measured it (null when none did). */
  Double max(String metric) {
    return maxima.get(metric);
  }
}
