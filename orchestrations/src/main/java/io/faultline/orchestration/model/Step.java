package io.faultline.orchestration.model;

import java.util.List;
import java.util.Map;

/**
 * One step. A plain step applies {@code scenario} (a name) or {@code config} (chaos sections) for
 * {@code durationSeconds} after {@code delayBeforeSeconds}; a conditional step has no scenario and runs
 * {@code thenSteps} or {@code elseSteps} by its condition.
 *
 * <p>{@code durationSeconds} is null when the step leaves it out or writes 0 (reference 003: "0 = use
 * scenario default"): the step then lasts its scenario's default duration; a step with an inline config
 * has none, so it applies the config, measures, and goes on. With a config, a {@code scenario} name that
 * is built in or saved is refined by the config; any other name is the name of the inline scenario the
 * config is. {@code source} is the step as written (its strings are filled in with the run's variables
 * when it starts) and {@code path} where it is in the file.
 */
public record Step(String name, String scenario, Map<String, Object> config, Double durationSeconds,
    double delayBeforeSeconds, boolean continueOnFailure, Condition condition, List<Hook> preHooks, List<Hook> postHooks,
    List<Assertion> assertions, Map<String, Object> variables, List<Step> thenSteps, List<Step> elseSteps,
    Map<String, Object> source, String path) {

  public boolean conditional() {
    return thenSteps != null;
  }

  /** A scenario named without a config: it must be built in, or saved on the node the run starts on. */
  public boolean namesScenario() {
    return scenario != null && config == null;
  }
}
