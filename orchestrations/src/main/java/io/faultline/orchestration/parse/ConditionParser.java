package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.MetricNames;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads reference 004's conditions (used by conditional steps, hooks, assertions and the guard). */
final class ConditionParser {

  static final Set<String> CONDITIONS = Set.of("equals", "not_equals", "greater_than", "less_than", "exists", "and", "or",
      "not", "previous_step_succeeded", "previous_step_failed", "metric_threshold");
  static final Set<String> OPERATORS = Set.of("greater_than", "less_than", "equals", "not_equals", "greater_than_or_equal",
      "less_than_or_equal");

  private final Fields f;
  /** True while a global assertion is read: only there is a run measured whole ({@code max_error_rate} and the like). */
  private boolean overTheRun;

  ConditionParser(Fields fields) {
    this.f = fields;
  }

  /** Reads what {@code read} reads as a global assertion's: the run-wide metrics are known there. */
  <T> T overTheRun(java.util.function.Supplier<T> read) {
    overTheRun = true;
    try {
      return read.get();
    } finally {
      overTheRun = false;
    }
  }

  /**
   * A problem when {@code metric} is measured over a whole run and what names it is not a global assertion: a step's
   * window, a guard's or a hook's has no {@code max_error_rate}, and a guard on one validated and never fired.
   */
  void refuseRunWide(String metric, String path) {
    if (!overTheRun && metric != null && MetricNames.RUN_WIDE.contains(MetricNames.canonical(metric))) {
      f.problem(path, MetricNames.canonical(metric) + " is the worst step's over a whole run: only a global assertion has it (here: "
          + MetricNames.canonical(metric).substring("max_".length()) + "; a variable of that name is variables." + metric + ")");
    }
  }

  /** The condition at {@code path} when there is one, else a "required" problem and null. */
  Condition required(Object value, String path) {
    return value == null ? f.missing(path) : condition(value, path);
  }

  Condition condition(Object value, String path) {
    Map<String, Object> m = f.typed(value, path);
    if (m == null) {
      return null;
    }
    String type = (String) m.get("type");
    if (!CONDITIONS.contains(type)) {
      f.oneOf(type, CONDITIONS, at(path, "type"));
      return null;
    }
    return switch (type) {
      case "equals", "not_equals", "greater_than", "less_than" -> {
        f.unknown(m, Set.of("type", "variable", "value"), path);
        String variable = f.string(m, "variable", path, true);
        if (!m.containsKey("value")) {
          f.problem(at(path, "value"), "is required");
        } else if (!type.endsWith("equals") && !(m.get("value") instanceof Number)) {
          f.problem(at(path, "value"), "must be a number for " + type + ", got " + m.get("value"));
        } else if (m.get("value") instanceof Number n && !Double.isFinite(n.doubleValue())) {
          f.problem(at(path, "value"), "must be a finite number, got " + n); // .nan held as greater than any value
        }
        yield new Condition(type, variable, m.get("value"), null, null, null, List.of());
      }
      case "exists" -> {
        f.unknown(m, Set.of("type", "variable"), path);
        yield new Condition(type, f.string(m, "variable", path, true), null, null, null, null, List.of());
      }
      case "and", "or" -> {
        f.unknown(m, Set.of("type", "conditions"), path);
        List<Condition> all = f.list(m, "conditions", path).stream().map(e -> condition(e.value(), e.path())).toList();
        if (all.isEmpty()) {
          f.problem(at(path, "conditions"), "needs at least one condition");
        }
        yield new Condition(type, null, null, null, null, null, all);
      }
      case "not" -> {
        f.unknown(m, Set.of("type", "condition"), path);
        Condition inner = required(m.get("condition"), at(path, "condition"));
        yield new Condition(type, null, null, null, null, null, inner == null ? List.of() : List.of(inner));
      }
      case "metric_threshold" -> metricThreshold(m, path);
      default -> {
        f.unknown(m, Set.of("type"), path);
        yield new Condition(type, null, null, null, null, null, List.of());
      }
    };
  }

  private Condition metricThreshold(Map<String, Object> m, String path) {
    f.unknown(m, Set.of("type", "metric_name", "metric", "operator", "threshold"), path);
    String field = m.containsKey("metric") ? "metric" : "metric_name";
    String metric = f.string(m, field, path, true);
    if (metric != null && !MetricNames.known(metric)) {
      f.problem(at(path, field), "must be one of " + MetricNames.NAMES + ", got " + metric);
    }
    refuseRunWide(metric, at(path, field));
    String operator = f.string(m, "operator", path, true);
    f.oneOf(operator, OPERATORS, at(path, "operator"));
    if (!m.containsKey("threshold")) {
      f.problem(at(path, "threshold"), "is required"); // without it the condition never held (and not_equals always)
    }
    return new Condition("metric_threshold", null, null, metric, operator,
        f.number(m, "threshold", path, Double.NaN, -Double.MAX_VALUE, Double.MAX_VALUE), List.of());
  }
}
