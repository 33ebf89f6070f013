package io.faultline.orchestration;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.orchestration.Model.Action;
import io.faultline.orchestration.Model.Assertion;
import io.faultline.orchestration.Model.Condition;
import io.faultline.orchestration.Model.Guard;
import io.faultline.orchestration.Model.Hook;
import io.faultline.orchestration.Model.Orchestration;
import io.faultline.orchestration.Model.Problem;
import io.faultline.orchestration.Model.Step;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an orchestration in the YAML or JSON formats of references 003 and 004 and checks all of it:
 * every problem is reported with its field path (and its line, for YAML), not just the first. A
 * scenario name is not checked here (a saved scenario may appear later); it fails its step at run time.
 */
public final class OrchestrationParser {

  /** The outcome: an orchestration, or the problems that stop it. */
  public record Result(Orchestration orchestration, List<Problem> problems) {

    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private static final Set<String> TOP = Set.of("name", "description", "tags", "variables", "steps", "advanced_steps",
      "conditional_steps", "parallel", "loop_orchestration", "max_iterations", "hooks", "assertions", "abort_when",
      "enable_reporting", "report_path", "schedule");
  private static final Set<String> STEP = Set.of("name", "scenario", "duration_seconds", "delay_before_seconds",
      "continue_on_failure", "condition", "variables", "pre_hooks", "post_hooks", "assertions", "description");
  private static final Set<String> ADVANCED = Set.of("name", "base", "condition", "variables", "pre_hooks", "post_hooks",
      "assertions", "description");
  private static final Set<String> CONDITIONAL = Set.of("name", "condition", "then_steps", "else_steps", "description");
  static final Set<String> HOOK_TYPES = Set.of("pre_step", "post_step", "pre_orchestration", "post_orchestration");
  static final Set<String> ACTIONS = Set.of("log", "set_variable", "record_metric", "http_request", "command");
  static final Set<String> CONDITIONS = Set.of("equals", "not_equals", "greater_than", "less_than", "exists", "and", "or",
      "not", "previous_step_succeeded", "previous_step_failed", "metric_threshold");
  static final Set<String> OPERATORS = Set.of("greater_than", "less_than", "equals", "not_equals", "greater_than_or_equal",
      "less_than_or_equal");
  static final Set<String> ASSERTIONS = Set.of("variable_equals", "metric_in_range", "step_succeeded", "step_failed", "condition");

  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, Integer> lines;

  private OrchestrationParser(Map<String, Integer> lines) {
    this.lines = lines;
  }

  /** Parses {@code text} as JSON when it starts with {@code {}, else as YAML. */
  public static Result parse(String text) {
    String trimmed = text == null ? "" : text.stripLeading();
    Object tree;
    Map<String, Integer> lines = new HashMap<>();
    if (trimmed.startsWith("{")) {
      try {
        tree = Json.decodeValue(trimmed);
      } catch (DecodeException e) {
        return new Result(null, List.of(new Problem("", 0, "malformed JSON: " + e.getMessage())));
      }
    } else {
      try {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        tree = yaml.load(text);
        Node root = yaml.compose(new StringReader(text));
        if (root != null) {
          positions(root, "", lines);
        }
      } catch (MarkedYAMLException e) {
        int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
        return new Result(null, List.of(new Problem("", line, "malformed YAML: " + e.getProblem())));
      } catch (RuntimeException e) {
        return new Result(null, List.of(new Problem("", 0, "malformed YAML: " + e.getMessage())));
      }
    }
    OrchestrationParser parser = new OrchestrationParser(lines);
    Orchestration orchestration = parser.orchestration(plain(tree));
    return new Result(parser.problems.isEmpty() ? orchestration : null, List.copyOf(parser.problems));
  }

  private static void positions(Node node, String path, Map<String, Integer> lines) {
    lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
    if (node instanceof MappingNode map) {
      for (NodeTuple tuple : map.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          lines.put(child, key.getStartMark().getLine() + 1);
          positions(tuple.getValueNode(), child, lines);
        }
      }
    } else if (node instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        positions(seq.getValue().get(i), path + "[" + i + "]", lines);
      }
    }
  }

  /** Vert.x JSON types as plain maps and lists, so YAML and JSON read the same. */
  private static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }

  private void problem(String path, String message) {
    String p = path;
    int line = lines.getOrDefault(p, 0);
    while (line == 0 && !p.isEmpty()) {
      p = parent(p);
      line = lines.getOrDefault(p, 0);
    }
    problems.add(new Problem(path, line, message));
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  private static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private Orchestration orchestration(Object tree) {
    if (!(tree instanceof Map<?, ?>)) {
      problem("", "an orchestration must be an object with at least name and steps");
      return null;
    }
    Map<String, Object> m = map(tree);
    unknown(m, TOP, "");
    String name = string(m, "name", "", true);
    List<Step> steps = new ArrayList<>();
    steps.addAll(list(m, "steps", "").stream().map(e -> step(e.value(), e.path())).toList());
    steps.addAll(list(m, "advanced_steps", "").stream().map(e -> advancedStep(e.value(), e.path())).toList());
    steps.addAll(list(m, "conditional_steps", "").stream().map(e -> conditionalStep(e.value(), e.path())).toList());
    if (steps.isEmpty()) {
      problem("steps", "at least one step is required (steps, advanced_steps or conditional_steps)");
    }
    int maxIterations = (int) number(m, "max_iterations", "", 1, 0, Integer.MAX_VALUE);
    String schedule = string(m, "schedule", "", false);
    if (schedule != null) {
      try {
        Cron.parse(schedule);
      } catch (IllegalArgumentException e) {
        problem("schedule", e.getMessage());
      }
    }
    Guard guard = null;
    if (m.get("abort_when") != null) {
      Map<String, Object> g = object(m.get("abort_when"), "abort_when");
      if (g != null) {
        unknown(g, Set.of("condition", "for_seconds", "window_seconds"), "abort_when");
        Condition c = g.get("condition") == null ? missing("abort_when.condition") : condition(g.get("condition"), "abort_when.condition");
        guard = new Guard(c, number(g, "for_seconds", "abort_when", 0, 0, 86_400),
            number(g, "window_seconds", "abort_when", 10, 1, 3_600));
      }
    }
    return new Orchestration(name, string(m, "description", "", false), strings(m, "tags", ""),
        variables(m, "variables", ""), steps, bool(m, "parallel", "", false), bool(m, "loop_orchestration", "", false),
        maxIterations, hooks(m, "hooks", "", null), assertions(m, "assertions", ""), guard, schedule);
  }

  private Step step(Object value, String path) {
    Map<String, Object> m = object(value, path);
    if (m == null) {
      return null;
    }
    unknown(m, STEP, path);
    String scenario = null;
    Map<String, Object> config = null;
    Object s = m.get("scenario");
    if (s instanceof String name) {
      scenario = name;
    } else if (s instanceof Map<?, ?>) {
      Map<String, Object> sm = map(s);
      unknown(sm, Set.of("name", "config"), at(path, "scenario"));
      scenario = string(sm, "name", at(path, "scenario"), false);
      if (sm.containsKey("config")) {
        config = chaosConfig(sm.get("config"), at(path, "scenario.config"), scenario);
      }
    } else if (s != null) {
      problem(at(path, "scenario"), "must be a scenario name or {name, config}, got " + s);
    }
    return new Step(string(m, "name", path, true), scenario, config,
        number(m, "duration_seconds", path, 0, 0, 31_536_000), number(m, "delay_before_seconds", path, 0, 0, 86_400),
        bool(m, "continue_on_failure", path, false),
        m.get("condition") == null ? null : condition(m.get("condition"), at(path, "condition")),
        hooks(m, "pre_hooks", path, "pre_step"), hooks(m, "post_hooks", path, "post_step"), assertions(m, "assertions", path),
        variables(m, "variables", path), null, null);
  }

  private Step advancedStep(Object value, String path) {
    Map<String, Object> m = object(value, path);
    if (m == null) {
      return null;
    }
    unknown(m, ADVANCED, path);
    Map<String, Object> base = m.get("base") == null ? new LinkedHashMap<>() : object(m.get("base"), at(path, "base"));
    if (base == null) {
      return null;
    }
    String name = string(m, "name", path, true);
    Map<String, Object> core = new LinkedHashMap<>(base);
    core.put("name", name == null ? "" : name);
    Step step = step(core, at(path, "base"));
    if (step == null) {
      return null;
    }
    return new Step(name, step.scenario(), step.config(), step.durationSeconds(), step.delayBeforeSeconds(),
        step.continueOnFailure(),
        m.get("condition") == null ? step.condition() : condition(m.get("condition"), at(path, "condition")),
        concat(step.preHooks(), hooks(m, "pre_hooks", path, "pre_step")),
        concat(step.postHooks(), hooks(m, "post_hooks", path, "post_step")),
        concat(step.assertions(), assertions(m, "assertions", path)),
        m.get("variables") == null ? step.variables() : variables(m, "variables", path), null, null);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private Step conditionalStep(Object value, String path) {
    Map<String, Object> m = object(value, path);
    if (m == null) {
      return null;
    }
    unknown(m, CONDITIONAL, path);
    Condition condition = m.get("condition") == null ? missing(at(path, "condition")) : condition(m.get("condition"), at(path, "condition"));
    List<Step> then = list(m, "then_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    List<Step> otherwise = list(m, "else_steps", path).stream().map(e -> branchStep(e.value(), e.path())).toList();
    if (then.isEmpty() && otherwise.isEmpty()) {
      problem(at(path, "then_steps"), "a conditional step needs then_steps or else_steps");
    }
    return new Step(string(m, "name", path, true), null, null, 0, 0, true, condition, List.of(), List.of(), List.of(),
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
    Map<String, Object> config = object(value, path);
    if (config == null) {
      return null;
    }
    try {
      // A config next to a built-in scenario's name refines that scenario, field by field.
      Scenario base = scenario == null ? null : Scenarios.builtIn(scenario);
      Map<String, Object> effective = base == null ? config : StepConfig.merge(ChaosJson.toMap(base.config()), config);
      ChaosJson.convert(effective, ChaosConfig.class, path);
    } catch (ChaosConfigException e) {
      problem(e.field() == null || e.field().isEmpty() ? path : e.field(), e.getMessage());
    }
    return config;
  }

  Condition condition(Object value, String path) {
    Map<String, Object> m = object(value, path);
    if (m == null) {
      return null;
    }
    String type = string(m, "type", path, true);
    if (type == null) {
      return null;
    }
    if (!CONDITIONS.contains(type)) {
      problem(at(path, "type"), "must be one of " + sorted(CONDITIONS) + ", got " + type);
      return null;
    }
    return switch (type) {
      case "equals", "not_equals", "greater_than", "less_than" -> {
        unknown(m, Set.of("type", "variable", "value"), path);
        String variable = string(m, "variable", path, true);
        if (!m.containsKey("value")) {
          problem(at(path, "value"), "is required");
        } else if (!type.endsWith("equals") && !(m.get("value") instanceof Number)) {
          problem(at(path, "value"), "must be a number for " + type + ", got " + m.get("value"));
        }
        yield new Condition(type, variable, m.get("value"), null, null, null, List.of());
      }
      case "exists" -> {
        unknown(m, Set.of("type", "variable"), path);
        yield new Condition(type, string(m, "variable", path, true), null, null, null, null, List.of());
      }
      case "and", "or" -> {
        unknown(m, Set.of("type", "conditions"), path);
        List<Condition> all = list(m, "conditions", path).stream().map(e -> condition(e.value(), e.path())).toList();
        if (all.isEmpty()) {
          problem(at(path, "conditions"), "needs at least one condition");
        }
        yield new Condition(type, null, null, null, null, null, all);
      }
      case "not" -> {
        unknown(m, Set.of("type", "condition"), path);
        Condition inner = m.get("condition") == null ? missing(at(path, "condition")) : condition(m.get("condition"), at(path, "condition"));
        yield new Condition(type, null, null, null, null, null, inner == null ? List.of() : List.of(inner));
      }
      case "metric_threshold" -> {
        unknown(m, Set.of("type", "metric_name", "metric", "operator", "threshold"), path);
        String metric = m.containsKey("metric") ? string(m, "metric", path, true) : string(m, "metric_name", path, true);
        if (metric != null && !Metrics.NAMES.contains(metric)) {
          problem(at(path, m.containsKey("metric") ? "metric" : "metric_name"), "must be one of " + Metrics.NAMES + ", got " + metric);
        }
        String operator = string(m, "operator", path, true);
        if (operator != null && !OPERATORS.contains(operator)) {
          problem(at(path, "operator"), "must be one of " + sorted(OPERATORS) + ", got " + operator);
        }
        yield new Condition(type, null, null, metric, operator, number(m, "threshold", path, Double.NaN, -Double.MAX_VALUE, Double.MAX_VALUE),
            List.of());
      }
      default -> {
        unknown(m, Set.of("type"), path);
        yield new Condition(type, null, null, null, null, null, List.of());
      }
    };
  }

  private List<Hook> hooks(Map<String, Object> m, String field, String path, String defaultType) {
    List<Hook> hooks = new ArrayList<>();
    for (Entry e : list(m, field, path)) {
      Map<String, Object> h = object(e.value(), e.path());
      if (h == null) {
        continue;
      }
      unknown(h, Set.of("name", "hook_type", "actions", "condition", "required"), e.path());
      String type = h.containsKey("hook_type") ? string(h, "hook_type", e.path(), true) : defaultType;
      if (type == null) {
        problem(at(e.path(), "hook_type"), "is required: one of " + sorted(HOOK_TYPES));
      } else if (!HOOK_TYPES.contains(type)) {
        problem(at(e.path(), "hook_type"), "must be one of " + sorted(HOOK_TYPES) + ", got " + type);
      }
      List<Action> actions = list(h, "actions", e.path()).stream().map(a -> action(a.value(), a.path())).toList();
      if (actions.isEmpty()) {
        problem(at(e.path(), "actions"), "a hook needs at least one action");
      }
      hooks.add(new Hook(string(h, "name", e.path(), false), type, actions,
          h.get("condition") == null ? null : condition(h.get("condition"), at(e.path(), "condition")),
          bool(h, "required", e.path(), false)));
    }
    return hooks;
  }

  private Action action(Object value, String path) {
    Map<String, Object> m = object(value, path);
    if (m == null) {
      return null;
    }
    String type = string(m, "type", path, true);
    if (type == null) {
      return null;
    }
    switch (type) {
      case "log" -> {
        unknown(m, Set.of("type", "message", "level"), path);
        string(m, "message", path, true);
        String level = string(m, "level", path, false);
        if (level != null && !Set.of("trace", "debug", "info", "warn", "error").contains(level)) {
          problem(at(path, "level"), "must be one of trace, debug, info, warn, error; got " + level);
        }
      }
      case "set_variable", "record_metric" -> {
        unknown(m, Set.of("type", "name", "value"), path);
        string(m, "name", path, true);
        if (!m.containsKey("value")) {
          problem(at(path, "value"), "is required");
        }
      }
      case "http_request" -> {
        unknown(m, Set.of("type", "url", "method", "body", "headers", "timeout_ms", "expected_status"), path);
        string(m, "url", path, true);
        String method = string(m, "method", path, false);
        if (method != null && !Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD").contains(method.toUpperCase())) {
          problem(at(path, "method"), "must be an HTTP method, got " + method);
        }
        number(m, "timeout_ms", path, 5_000, 1, 600_000);
      }
      case "command" -> {
        unknown(m, Set.of("type", "command", "args", "timeout_seconds", "working_dir"), path);
        string(m, "command", path, true);
        strings(m, "args", path);
        number(m, "timeout_seconds", path, 30, 0.001, 3_600);
      }
      default -> problem(at(path, "type"), "must be one of " + sorted(ACTIONS) + ", got " + type);
    }
    return new Action(type, m);
  }

  private List<Assertion> assertions(Map<String, Object> m, String field, String path) {
    List<Assertion> out = new ArrayList<>();
    for (Entry e : list(m, field, path)) {
      Map<String, Object> a = object(e.value(), e.path());
      if (a == null) {
        continue;
      }
      String type = string(a, "type", e.path(), true);
      if (type == null) {
        continue;
      }
      switch (type) {
        case "variable_equals" -> {
          unknown(a, Set.of("type", "variable", "expected"), e.path());
          string(a, "variable", e.path(), true);
          if (!a.containsKey("expected")) {
            problem(at(e.path(), "expected"), "is required");
          }
          out.add(new Assertion(type, (String) a.get("variable"), a.get("expected"), null, null, null, null, null));
        }
        case "metric_in_range" -> {
          unknown(a, Set.of("type", "metric", "min", "max"), e.path());
          String metric = string(a, "metric", e.path(), true);
          if (metric != null && !Metrics.NAMES.contains(metric) && !metric.startsWith("custom.")) {
            problem(at(e.path(), "metric"), "must be one of " + Metrics.NAMES + " or custom.NAME (record_metric), got " + metric);
          }
          double min = number(a, "min", e.path(), -Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
          double max = number(a, "max", e.path(), Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
          if (min > max) {
            problem(e.path(), "min " + min + " is above max " + max);
          }
          out.add(new Assertion(type, null, null, metric, min, max, null, null));
        }
        case "step_succeeded", "step_failed" -> {
          unknown(a, Set.of("type", "step"), e.path());
          out.add(new Assertion(type, null, null, null, null, null, string(a, "step", e.path(), true), null));
        }
        case "condition" -> {
          unknown(a, Set.of("type", "condition"), e.path());
          Condition c = a.get("condition") == null ? missing(at(e.path(), "condition")) : condition(a.get("condition"), at(e.path(), "condition"));
          out.add(new Assertion(type, null, null, null, null, null, null, c));
        }
        default -> problem(at(e.path(), "type"), "must be one of " + sorted(ASSERTIONS) + ", got " + type);
      }
    }
    return out;
  }

  // -- field helpers: each reports a problem and answers a usable default

  private record Entry(Object value, String path) {
  }

  private Condition missing(String path) {
    problem(path, "is required");
    return null;
  }

  private void unknown(Map<String, Object> m, Set<String> known, String path) {
    for (String key : m.keySet()) {
      if (!known.contains(key)) {
        problem(at(path, key), "unknown field; expected one of " + sorted(known));
      }
    }
  }

  private Map<String, Object> object(Object value, String path) {
    if (value instanceof Map<?, ?>) {
      return map(value);
    }
    problem(path, "must be an object, got " + (value == null ? "nothing" : value));
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  private String string(Map<String, Object> m, String field, String path, boolean required) {
    Object v = m.get(field);
    if (v == null) {
      if (required) {
        problem(at(path, field), "is required");
      }
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    problem(at(path, field), "must be a string, got " + v);
    return null;
  }

  private boolean bool(Map<String, Object> m, String field, String path, boolean dflt) {
    Object v = m.get(field);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problem(at(path, field), "must be true or false, got " + v);
    return dflt;
  }

  private double number(Map<String, Object> m, String field, String path, double dflt, double min, double max) {
    Object v = m.get(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n)) {
      problem(at(path, field), "must be a number, got " + v);
      return dflt;
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      problem(at(path, field), "must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
      return dflt;
    }
    return d;
  }

  private static String fmt(double d) {
    return d == (long) d ? Long.toString((long) d) : Double.toString(d);
  }

  private List<Entry> list(Map<String, Object> m, String field, String path) {
    Object v = m.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      problem(at(path, field), "must be a list, got " + v);
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(new Entry(list.get(i), at(path, field) + "[" + i + "]"));
    }
    return out;
  }

  private List<String> strings(Map<String, Object> m, String field, String path) {
    List<String> out = new ArrayList<>();
    for (Entry e : list(m, field, path)) {
      if (e.value() instanceof String s) {
        out.add(s);
      } else {
        problem(e.path(), "must be a string, got " + e.value());
      }
    }
    return out;
  }

  private Map<String, Object> variables(Map<String, Object> m, String field, String path) {
    Object v = m.get(field);
    if (v == null) {
      return Map.of();
    }
    Map<String, Object> vars = object(v, at(path, field));
    return vars == null ? Map.of() : vars;
  }

  private static List<String> sorted(Set<String> set) {
    return set.stream().sorted().toList();
  }
}
