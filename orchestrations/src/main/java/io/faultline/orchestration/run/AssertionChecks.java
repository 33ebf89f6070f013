package io.faultline.orchestration.run;

import io.faultline.orchestration.model.Assertion;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.model.Numbers;
import io.faultline.orchestration.parse.Templates;
import io.faultline.orchestration.report.AssertionResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks assertions against a window's metrics, the run's variables, custom metrics and step results. */
final class AssertionChecks {

  private AssertionChecks() {
  }

  static List<AssertionResult> check(List<Assertion> assertions, JsonObject metrics, Conditions.Context context,
      Map<String, Double> customMetrics, Results results) {
    List<AssertionResult> out = new ArrayList<>();
    for (Assertion a : assertions) {
      out.add(check(filled(a, context.variables()), metrics, context, customMetrics, results));
    }
    return out;
  }

  /**
   * {@code a} with the run's variables filled into the step it names and the value it expects, as a step's
   * own fields are when it starts: {@code step_name: "lat ${variables.delay}"} names the step as it ran.
   */
  private static Assertion filled(Assertion a, Map<String, Object> variables) {
    if (!Templates.hasPlaceholders(a.step()) && !Templates.hasPlaceholders(a.expected())) {
      return a;
    }
    Object step = Templates.fill(a.step(), variables::get, false, java.util.function.Function.identity());
    return new Assertion(a.type(), a.variable(), Templates.fill(a.expected(), variables::get, false, java.util.function.Function.identity()),
        a.metric(), a.min(), a.max(), step == null ? null : String.valueOf(step), a.condition());
  }

  private static AssertionResult check(Assertion a, JsonObject metrics, Conditions.Context context, Map<String, Double> customMetrics,
      Results results) {
    switch (a.type()) {
      case "variable_equals" -> {
        Object actual = Conditions.lookup(a.variable(), context); // what the check compares (a metric of the window before a variable)
        boolean passed = Conditions.holds(new Condition("equals", a.variable(), a.expected(), null, null, null, List.of()), context);
        return new AssertionResult(a.type(), passed, a.variable() + " = " + actual + ", expected " + a.expected());
      }
      case "metric_in_range" -> {
        Double value = a.metric().startsWith("custom.") ? customMetrics.get(a.metric().substring(7))
            : Numbers.of(metrics.getValue(MetricNames.canonical(a.metric())));
        boolean passed = value != null && value >= a.min() && value <= a.max();
        // a window the node could not measure says why (its metrics are {"error": ...}): "no request went through" hid it
        String seen = value != null ? String.valueOf(value) : a.metric().startsWith("custom.") ? "not recorded"
            : metrics.getValue("error") instanceof String error ? "not measured (" + error + ")"
            : "not measured (no request went through the gateway in its window)";
        return new AssertionResult(a.type(), passed, a.metric() + " = " + seen + ", expected within [" + a.min() + ", " + a.max() + "]");
      }
      case "step_succeeded", "step_failed" -> {
        String want = a.type().equals("step_succeeded") ? "succeeded" : "failed";
        String actual = results.lastStatus(a.step());
        return new AssertionResult(a.type(), actual.equals(want), "step " + a.step() + " " + actual + ", expected " + want);
      }
      default -> {
        boolean passed = Conditions.holds(a.condition(), context);
        return new AssertionResult(a.type(), passed, "condition " + (passed ? "holds" : "does not hold"));
      }
    }
  }
}
