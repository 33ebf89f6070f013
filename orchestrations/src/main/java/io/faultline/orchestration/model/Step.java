package io.faultline.orchestration.model;

import java.util.List;
import java.util.Map;

/**
 * One step. A plain step applies {@code scenario} (a name) or {@code config} (chaos sections) for
 * {@code durationSeconds} after {@code delayBeforeSeconds}; a conditional step has no scenario and runs
 * {@code thenSteps} or {@code elseSteps} by its condition.
 */
public record Step(String name, String scenario, Map<String, Object> config, double durationSeconds,
    double delayBeforeSeconds, boolean continueOnFailure, Condition condition, List<Hook> preHooks, List<Hook> postHooks,
    List<Assertion> assertions, Map<String, Object> variables, List<Step> thenSteps, List<Step> elseSteps) {

  public boolean conditional() {
    return thenSteps != null;
  }
}
