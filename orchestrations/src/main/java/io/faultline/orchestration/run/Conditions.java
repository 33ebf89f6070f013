package io.faultline.orchestration.run;

import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.model.Numbers;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/** Evaluates reference-004 conditions against a run's variables, its last step and a set of metrics. */
final class Conditions {

  /** What a condition can look at. {@code previousStepSucceeded} is null before the first step. */
  record Context(Map<String, Object> variables, Boolean previousStepSucceeded, JsonObject metrics) {
  }

  private Conditions() {
  }

  static boolean holds(Condition c, Context context) {
    if (c == null) {
      return true;
    }
    return switch (c.type()) {
      case "equals" -> same(lookup(c.variable(), context), filled(c.value(), context));
      case "not_equals" -> !same(lookup(c.variable(), context), filled(c.value(), context));
      case "greater_than" -> compare(lookup(c.variable(), context), filled(c.value(), context)) > 0;
      case "less_than" -> compare(lookup(c.variable(), context), filled(c.value(), context)) < 0;
      case "exists" -> lookup(c.variable(), context) != null;
      case "and" -> c.conditions().stream().allMatch(inner -> holds(inner, context));
      case "or" -> c.conditions().stream().anyMatch(inner -> holds(inner, context));
      case "not" -> c.conditions().isEmpty() || !holds(c.conditions().get(0), context);
      case "previous_step_succeeded" -> Boolean.TRUE.equals(context.previousStepSucceeded());
      case "previous_step_failed" -> Boolean.FALSE.equals(context.previousStepSucceeded());
      case "metric_threshold" -> threshold(Numbers.of(context.metrics().getValue(MetricNames.canonical(c.metric()))), c.operator(),
          c.threshold());
      default -> false;
    };
  }

  /**
   * {@code value} with its placeholders filled with the variables as they are now (a hook's condition keeps them until
   * it is tested; an unknown one is nothing); a value of one placeholder is the variable's own, a number staying one.
   */
  private static Object filled(Object value, Context context) {
    return value instanceof String s && io.faultline.orchestration.parse.Templates.hasPlaceholders(s)
        ? io.faultline.orchestration.parse.Templates.fill(s, context.variables()::get, false, java.util.function.Function.identity())
        : value;
  }

  /**
   * A name's value: a metric the context measured ({@code error_rate}: its window, as an {@code abort_when} or an
   * assertion sees it) before a variable of that name, which may hold an earlier step's copy of it; otherwise the
   * variable ({@code x} or {@code variables.x}; the explicit form always reads the variable first).
   */
  static Object lookup(String name, Context context) {
    if (name == null) {
      return null;
    }
    boolean explicit = name.startsWith("variables.");
    String key = explicit ? name.substring("variables.".length()) : name;
    if (!explicit && context.metrics().containsKey(MetricNames.canonical(key))) {
      // reference 004's names (latency_p99) are the metrics' too: looked up as written, they never held
      return context.metrics().getValue(MetricNames.canonical(key));
    }
    Object value = context.variables().get(key);
    return value != null ? value : context.metrics().getValue(key);
  }

  private static boolean same(Object actual, Object expected) {
    Double a = Numbers.of(actual);
    Double b = Numbers.of(expected);
    if (a != null && b != null) {
      return a.doubleValue() == b.doubleValue();
    }
    return Objects.equals(actual == null ? null : String.valueOf(actual), expected == null ? null : String.valueOf(expected));
  }

  private static int compare(Object actual, Object expected) {
    Double a = Numbers.of(actual);
    Double b = Numbers.of(expected);
    if (a == null || b == null) {
      return 0; // not comparable: neither greater nor less
    }
    return Double.compare(a, b);
  }

  static boolean threshold(Double value, String operator, Double threshold) {
    if (value == null || threshold == null) {
      return false;
    }
    return switch (operator) {
      case "greater_than" -> value > threshold;
      case "less_than" -> value < threshold;
      case "greater_than_or_equal" -> value >= threshold;
      case "less_than_or_equal" -> value <= threshold;
      case "equals" -> value.doubleValue() == threshold.doubleValue();
      case "not_equals" -> value.doubleValue() != threshold.doubleValue();
      default -> false;
    };
  }
}
