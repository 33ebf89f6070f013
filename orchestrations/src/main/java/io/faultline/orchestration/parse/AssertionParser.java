package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.orchestration.model.Assertion;
import io.faultline.orchestration.model.MetricNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads assertions, per step or global. */
final class AssertionParser {

  static final Set<String> ASSERTIONS = Set.of("variable_equals", "metric_in_range", "step_succeeded", "step_failed", "condition");

  private final Fields f;
  private final ConditionParser conditions;
  /** The step names {@code step_succeeded} and {@code step_failed} give, with where: checked once every step is read. */
  final java.util.List<String[]> stepRefs = new java.util.ArrayList<>();

  AssertionParser(Fields fields, ConditionParser conditions) {
    this.f = fields;
    this.conditions = conditions;
  }

  /** The run's global assertions, which alone see the run-wide metrics ({@code max_error_rate}...). */
  List<Assertion> global(Map<String, Object> m, String field, String path) {
    return conditions.overTheRun(() -> assertions(m, field, path));
  }

  List<Assertion> assertions(Map<String, Object> m, String field, String path) {
    List<Assertion> out = new ArrayList<>();
    for (Fields.Entry e : f.list(m, field, path)) {
      Map<String, Object> a = f.typed(e.value(), e.path());
      Assertion assertion = a == null ? null : assertion((String) a.get("type"), a, e.path());
      if (assertion != null) {
        out.add(assertion);
      }
    }
    return out;
  }

  private Assertion assertion(String type, Map<String, Object> a, String path) {
    switch (type) {
      case "variable_equals" -> {
        f.unknown(a, Set.of("type", "variable", "expected"), path);
        String variable = f.string(a, "variable", path, true);
        if (!a.containsKey("expected")) {
          f.problem(at(path, "expected"), "is required");
        }
        return new Assertion(type, variable, a.get("expected"), null, null, null, null, null);
      }
      case "metric_in_range" -> {
        f.unknown(a, Set.of("type", "metric", "min", "max"), path);
        String metric = f.string(a, "metric", path, true);
        if (metric != null && !MetricNames.known(metric) && !metric.startsWith("custom.")) {
          f.problem(at(path, "metric"), "must be one of " + MetricNames.NAMES + " or custom.NAME (record_metric), got " + metric);
        }
        conditions.refuseRunWide(metric, at(path, "metric"));
        double min = f.number(a, "min", path, -Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
        double max = f.number(a, "max", path, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
        if (min > max) {
          f.problem(path, "min " + min + " is above max " + max);
        }
        return new Assertion(type, null, null, metric, min, max, null, null);
      }
      case "step_succeeded", "step_failed" -> {
        // Reference 004 writes step_name; step is the older spelling, kept as an alias.
        f.unknown(a, Set.of("type", "step_name", "step"), path);
        if (a.containsKey("step_name") && a.containsKey("step")) {
          f.problem(at(path, "step"), "give step_name or step (its alias), not both");
        }
        String field = a.containsKey("step") ? "step" : "step_name";
        String step = f.string(a, field, path, true);
        if (step != null) {
          stepRefs.add(new String[] {at(path, field), step});
        }
        return new Assertion(type, null, null, null, null, null, step, null);
      }
      case "condition" -> {
        f.unknown(a, Set.of("type", "condition"), path);
        return new Assertion(type, null, null, null, null, null, null, conditions.required(a.get("condition"), at(path, "condition")));
      }
      default -> {
        f.oneOf(type, ASSERTIONS, at(path, "type"));
        return null;
      }
    }
  }
}
