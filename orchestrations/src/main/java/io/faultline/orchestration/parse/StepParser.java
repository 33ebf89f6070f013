package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.Step;
import io.faultline.orchestration.model.StepConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the three kinds of steps: plain ({@code steps}), advanced ({@code base} plus extras) and conditional. */
final class StepParser {

  private static final Set<String> STEP = Set.of("name", "scenario", "duration_seconds", "delay_before_seconds",
      "continue_on_failure", "condition", "variables", "pre_hooks", "post_hooks", "assertions", "description");
  private static final Set<String> ADVANCED = Set.of("name", "base", "condition", "variables", "pre_hooks", "post_hooks",
      "assertions", "description");
  private static final Set<String> CONDITIONAL = Set.of("name", "condition", "then_steps", "else_steps", "description");

  private final Fields f;
  private final ConditionParser conditions;
  private final HookParser hooks;
  private final AssertionParser assertions;

  StepParser(Fields fields, ConditionParser conditions, HookParser hooks, AssertionParser assertions) {
    this.f = fields;
    this.conditions = conditions;
    this.hooks = hooks;
    this.assertions = assertions;
  }

  Step step(Object value, String path) {
    Map<String, Object> m = f.object(value, path);
    if (m == null) {
      return null;
    }
    f.unknown(m, STEP, path);
    String scenario = null;
    Map<String, Object> config = null;
    Object s = m.get("scenario");
    if (s instanceof String name) {
      scenario = name;
    } else if (s instanceof Map<?, ?>) {
      Map<String, Object> sm = Fields.map(s);
      f.unknown(sm, Set.of("name", "config"), at(path, "scenario"));
      scenario = f.string(sm, "name", at(path, "scenario"), false);
      if (sm.containsKey("config")) {
        config = chaosConfig(sm.get("config"), at(path, "scenario.config"), scenario);
      }
    } else if (s != null) {
      f.problem(at(path, "scenario"), "must be a scenario name or {name, config}, got " + s);
    }
    return new Step(f.string(m, "name", path, true), scenario, config,
        f.number(m, "duration_seconds", path, 0, 0, 31_536_000), f.number(m, "delay_before_seconds", path, 0, 0, 86_400),
        f.bool(m, "continue_on_failure", path, false),
        m.get("condition") == null ? null : conditions.condition(m.get("condition"), at(path, "condition")),
        hooks.hooks(m, "pre_hooks", path, "pre_step"), hooks.hooks(m, "post_hooks", path, "post_step"),
        assertions.assertions(m, "assertions", path), f.variables(m, "variables", path), null, null);
  }

  Step advancedStep(Object value, String path) {
    Map<String, Object> m = f.object(value, path);
    if (m == null) {
      return null;
    }
    f.unknown(m, ADVANCED, path);
    Map<String, Object> base = m.get("base") == null ? new LinkedHashMap<>() : f.object(m.get("base"), at(path, "base"));
    if (base == null) {
      return null;
    }
    String name = f.string(m, "name", path, true);
    Map<String, Object> core = new LinkedHashMap<>(base);
    core.put("name", name == null ? "" : name);
    Step step = step(core, at(path, "base"));
    if (step == null) {
      return null;
    }
    Condition condition = m.get("condition") == null ? step.condition() : conditions.condition(m.get("condition"), at(path, "condition"));
    return new Step(name, step.scenario(), step.config(), step.durationSeconds(), step.delayBeforeSeconds(),
        step.continueOnFailure(), condition,
        concat(step.preHooks(), hooks.hooks(m, "pre_hooks", path, "pre_step")),
        concat(step.postHooks(), hooks.hooks(m, "post_hooks", path, "post_step")),
        concat(step.assertions(), assertions.assertions(m, "assertions", path)),
        m.get("variables") == null ? step.variables() : f.variables(m, "variables", path), null, null);
  }

  Step conditionalStep(Object value, String path) {
    Map<String, Object> m = f.object(value, path);
    if (m == null) {
      return null;
    }
    f.unknown(m, CONDITIONAL, path);
    Condition condition = conditions.required(m.get("condition"), at(path, "condition"));
    List<Step> then = f.list(m, "then_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    List<Step> otherwise = f.list(m, "else_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    if (then.isEmpty() && otherwise.isEmpty()) {
      f.problem(at(path, "then_steps"), "a conditional step needs then_steps or else_steps");
    }
    return new Step(f.string(m, "name", path, true), null, null, 0, 0, true, condition, List.of(), List.of(), List.of(),
        Map.of(), then, otherwise);
  }

  /** A branch step may be plain ({@code scenario: ...}) or advanced ({@code base: {...}}). */
  private Step branchStep(Object value, String path) {
    return value instanceof Map<?, ?> m && m.containsKey("base") ? advancedStep(value, path) : step(value, path);
  }

  private Map<String, Object> chaosConfig(Object value, String path, String scenario) {
    if (value == null) {
      return Map.of(); // a config written as comments only
    }
    Map<String, Object> config = f.object(value, path);
    if (config == null) {
      return null;
    }
    try {
      // A config next to a built-in scenario's name refines that scenario, field by field.
      Scenario base = scenario == null ? null : Scenarios.builtIn(scenario);
      Map<String, Object> effective = base == null ? config : StepConfig.merge(ChaosJson.toMap(base.config()), config);
      ChaosJson.convert(effective, ChaosConfig.class, path);
    } catch (ChaosConfigException e) {
      f.problem(e.field() == null || e.field().isEmpty() ? path : e.field(), e.getMessage());
    }
    return config;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
