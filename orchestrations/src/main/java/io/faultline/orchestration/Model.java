package io.faultline.orchestration;

import java.util.List;
import java.util.Map;

/** The orchestration model of references 003 and 004, as {@link OrchestrationParser} builds it. */
public final class Model {

  private Model() {
  }

  /**
   * An orchestration: its steps (the plain {@code steps}, then {@code advanced_steps}, then
   * {@code conditional_steps}), how they run ({@code parallel}, {@code loop_orchestration},
   * {@code max_iterations}: 0 = until stopped), global variables, hooks, assertions and the optional
   * {@code abort_when} guard; a library entry may carry a cron {@code schedule}.
   */
  public record Orchestration(String name, String description, List<String> tags, Map<String, Object> variables,
      List<Step> steps, boolean parallel, boolean loop, int maxIterations, List<Hook> hooks, List<Assertion> assertions,
      Guard abortWhen, String schedule) {

    /** The same orchestration with {@code overrides} laid over its variables (a library entry run with its own values). */
    public Orchestration withVariables(Map<String, Object> overrides) {
      Map<String, Object> merged = new java.util.LinkedHashMap<>(variables);
      merged.putAll(overrides);
      return new Orchestration(name, description, tags, merged, steps, parallel, loop, maxIterations, hooks, assertions, abortWhen, schedule);
    }
  }

  /**
   * One step. A plain step applies {@code scenario} (a name) or {@code config} (chaos sections) for
   * {@code durationSeconds} after {@code delayBeforeSeconds}; a conditional step has no scenario and
   * runs {@code thenSteps} or {@code elseSteps} by its condition.
   */
  public record Step(String name, String scenario, Map<String, Object> config, double durationSeconds,
      double delayBeforeSeconds, boolean continueOnFailure, Condition condition, List<Hook> preHooks, List<Hook> postHooks,
      List<Assertion> assertions, Map<String, Object> variables, List<Step> thenSteps, List<Step> elseSteps) {

    public boolean conditional() {
      return thenSteps != null;
    }
  }

  /**
   * A condition of reference 004: {@code equals}, {@code not_equals}, {@code greater_than},
   * {@code less_than} (a variable against a value), {@code exists}, {@code and}, {@code or}, {@code not},
   * {@code previous_step_succeeded}, {@code previous_step_failed}, {@code metric_threshold} (a metric
   * against a threshold with an operator).
   */
  public record Condition(String type, String variable, Object value, String metric, String operator, Double threshold,
      List<Condition> conditions) {
  }

  /** Hooks run at {@code pre_step}, {@code post_step}, {@code pre_orchestration} or {@code post_orchestration}, if their condition holds. */
  public record Hook(String name, String type, List<Action> actions, Condition condition, boolean required) {
  }

  /** One hook action: {@code log}, {@code set_variable}, {@code record_metric}, {@code http_request} or {@code command}, with its fields. */
  public record Action(String type, Map<String, Object> fields) {
  }

  /** An assertion: {@code variable_equals}, {@code metric_in_range}, {@code step_succeeded}, {@code step_failed} or {@code condition}. */
  public record Assertion(String type, String variable, Object expected, String metric, Double min, Double max, String step,
      Condition condition) {
  }

  /** Stop the run when {@code condition} holds for {@code forSeconds} (checked every half second on live metrics). */
  public record Guard(Condition condition, double forSeconds, double windowSeconds) {
  }

  /** A problem in an orchestration file: the field's path, its line in a YAML file (0 when unknown), what is wrong. */
  public record Problem(String path, int line, String message) {

    @Override
    public String toString() {
      return (line > 0 ? "line " + line + ": " : "") + (path.isEmpty() ? "" : path + ": ") + message;
    }
  }
}
