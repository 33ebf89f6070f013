package io.faultline.orchestration.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An orchestration: its steps (the plain {@code steps}, then {@code advanced_steps}, then
 * {@code conditional_steps}), how they run ({@code parallel}, {@code loop_orchestration},
 * {@code max_iterations}: 0 = until stopped), global variables, hooks, assertions and the optional
 * {@code abort_when} guard, where else to write its report ({@code enable_reporting}, {@code report_path});
 * a library entry may carry a cron {@code schedule}.
 */
public record Orchestration(String name, String description, List<String> tags, Map<String, Object> variables,
    List<Step> steps, boolean parallel, boolean loop, int maxIterations, List<Hook> hooks, List<Assertion> assertions,
    Guard abortWhen, String schedule, Reporting reporting) {

  /** The longest name: the history keeps runs by name ({@code runs.name}, 256 characters), and PostgreSQL refuses a longer one. */
  public static final int MAX_NAME_LENGTH = 256;

  /** The same orchestration with {@code overrides} laid over its variables (a library entry run with its own values). */
  public Orchestration withVariables(Map<String, Object> overrides) {
    Map<String, Object> merged = new LinkedHashMap<>(variables);
    merged.putAll(overrides);
    return new Orchestration(name, description, tags, merged, steps, parallel, loop, maxIterations, hooks, assertions, abortWhen,
        schedule, reporting);
  }

  /** How many times the steps run: {@code max_iterations} when looping (0, until stopped, counts as 1 for progress), else once. */
  public int iterationsPlanned() {
    return loop ? Math.max(1, maxIterations) : 1;
  }
}
