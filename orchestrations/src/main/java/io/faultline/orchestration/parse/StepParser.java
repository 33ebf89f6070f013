package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.ScenarioRef;
import io.faultline.orchestration.model.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the three kinds of steps: plain ({@code steps}), advanced ({@code base} plus extras) and
 * conditional. A step's strings are filled in with the variables known when it is read (see
 * {@link Templates}): the orchestration's and the step's own at validation, the run's when it starts.
 */
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
  private final List<ScenarioRef> named = new ArrayList<>();
  private Function<String, Object> variables = name -> null;
  private boolean keepUnknown = true;
  private Function<String, String> text = Function.identity();

  StepParser(Fields fields, ConditionParser conditions, HookParser hooks, AssertionParser assertions) {
    this.f = fields;
    this.conditions = conditions;
    this.hooks = hooks;
    this.assertions = assertions;
  }

  /** What a step's placeholders are filled with, and what an unknown one becomes (kept, or nothing). */
  void fillWith(Function<String, Object> lookup, boolean keepUnknownPlaceholders, Function<String, String> rest) {
    this.variables = lookup;
    this.keepUnknown = keepUnknownPlaceholders;
    this.text = rest;
  }

  /** The scenarios named without a config, with where. */
  List<ScenarioRef> named() {
    return List.copyOf(named);
  }

  /** Any kind of step, by its shape: {@code then_steps}/{@code else_steps} conditional, {@code base} advanced, else plain. */
  Step any(Object value, String path) {
    if (value instanceof Map<?, ?> m && (m.containsKey("then_steps") || m.containsKey("else_steps"))) {
      return conditionalStep(value, path);
    }
    return branchStep(value, path);
  }

  /** A step as written, and with its strings filled in. */
  private record Written(Map<String, Object> source, Map<String, Object> m) {
  }

  /** The step at {@code path}, checked for fields other than {@code known}; null (a problem reported) when it is no object. */
  private Written read(Object value, String path, Set<String> known) {
    Map<String, Object> source = f.object(value, path);
    if (source == null) {
      return null;
    }
    Map<String, Object> m = filled(source);
    f.unknown(m, known, path);
    return new Written(source, m);
  }

  /** {@code source} with its strings filled in; its own {@code variables} (filled first) count too. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> filled(Map<String, Object> source) {
    Object own = source.get("variables");
    Map<String, Object> ownVars = own instanceof Map<?, ?> o
        ? (Map<String, Object>) Templates.fill(o, variables, keepUnknown, text) : Map.of();
    Function<String, Object> lookup = name -> ownVars.containsKey(name) ? ownVars.get(name) : variables.apply(name);
    return (Map<String, Object>) Templates.fill(source, lookup, keepUnknown, text);
  }

  Step step(Object value, String path) {
    Written written = read(value, path, STEP);
    if (written == null) {
      return null;
    }
    Map<String, Object> m = written.m();
    String scenario = null;
    Map<String, Object> config = null;
    Object s = m.get("scenario");
    if (s instanceof String name) {
      scenario = name;
      named.add(new ScenarioRef(at(path, "scenario"), f.line(at(path, "scenario")), name));
    } else if (s instanceof Map<?, ?>) {
      Map<String, Object> sm = Fields.map(s);
      f.unknown(sm, Set.of("name", "config"), at(path, "scenario"));
      scenario = f.string(sm, "name", at(path, "scenario"), false);
      if (sm.containsKey("config")) {
        config = chaosConfig(sm.get("config"), at(path, "scenario.config"), scenario);
      } else if (scenario != null) {
        named.add(new ScenarioRef(at(path, "scenario.name"), f.line(at(path, "scenario.name")), scenario));
      }
    } else if (s != null) {
      f.problem(at(path, "scenario"), "must be a scenario name or {name, config}, got " + s);
    }
    double duration = f.number(m, "duration_seconds", path, 0, 0, 31_536_000);
    return new Step(f.string(m, "name", path, true), scenario, config, duration == 0 ? null : duration,
        f.number(m, "delay_before_seconds", path, 0, 0, 86_400), f.bool(m, "continue_on_failure", path, false),
        m.get("condition") == null ? null : conditions.condition(m.get("condition"), at(path, "condition")),
        hooks.hooks(m, "pre_hooks", path, "pre_step"), hooks.hooks(m, "post_hooks", path, "post_step"),
        assertions.assertions(m, "assertions", path), f.variables(m, "variables", path), null, null, written.source(), path);
  }

  Step advancedStep(Object value, String path) {
    Written written = read(value, path, ADVANCED);
    if (written == null) {
      return null;
    }
    Map<String, Object> m = written.m();
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
        m.get("variables") == null ? step.variables() : f.variables(m, "variables", path), null, null, written.source(), path);
  }

  Step conditionalStep(Object value, String path) {
    Written written = read(value, path, CONDITIONAL);
    if (written == null) {
      return null;
    }
    Map<String, Object> m = written.m();
    Map<String, Object> source = written.source();
    Condition condition = conditions.required(m.get("condition"), at(path, "condition"));
    // Branch steps are read as written: each fills in its own strings when it runs.
    List<Step> then = f.list(source, "then_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    List<Step> otherwise = f.list(source, "else_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    if (then.isEmpty() && otherwise.isEmpty()) {
      f.problem(at(path, "then_steps"), "a conditional step needs then_steps or else_steps");
    }
    return new Step(f.string(m, "name", path, true), null, null, null, 0, true, condition, List.of(), List.of(), List.of(),
        Map.of(), then, otherwise, source, path);
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
    if (config.containsKey("rules")) {
      // applied as the step's whole config, they replaced every rule of the node's (a task's too), and the run's end,
      // which puts back all but rules, left the step's in place of the user's for good
      f.problem(at(path, "rules"), "a step's chaos is sections only: a run changes no rules (the node's rules stay"
          + " as they are through the run; put rules with PUT /api/chaos/rules, or confine chaos to some nodes with a"
          + " distributed task)");
    }
    try {
      // A config next to a built-in scenario's name refines that scenario, field by field.
      Scenario base = scenario == null ? null : Scenarios.builtIn(scenario);
      Map<String, Object> effective = base == null ? config : ChaosJson.refine(ChaosJson.toMap(base.config()), config);
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
