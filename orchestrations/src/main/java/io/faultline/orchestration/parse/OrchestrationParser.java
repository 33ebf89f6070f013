package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.orchestration.library.Cron;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.GuardedAction;
import io.faultline.orchestration.model.Guard;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.model.Reporting;
import io.faultline.orchestration.model.ScenarioRef;
import io.faultline.orchestration.model.Step;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads an orchestration in the YAML or JSON formats of references 003 and 004 and checks all of it:
 * every problem is reported with its field path (and its line, for YAML), not just the first. Scenario
 * names written without a config are listed ({@link Result#scenarios}): whether they exist depends on
 * the node, which checks them before a run starts.
 */
public final class OrchestrationParser {

  /**
   * The outcome: an orchestration, or the problems that stop it. {@code refused}: the text was not read
   * at all (too long, or YAML anchors and aliases), which callers answer as a bad request rather than
   * as an invalid orchestration. {@code scenarios}: the scenarios it names without a config. {@code guarded}:
   * its command and http_request hook actions, which the node's permissions may refuse when they run.
   * {@code warnings}: what is allowed but likely a slip (two steps of one name).
   */
  public record Result(Orchestration orchestration, List<Problem> problems, boolean refused, List<ScenarioRef> scenarios,
      List<GuardedAction> guarded, List<Problem> warnings) {

    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /** A step read again at run time, or what is wrong with it then. */
  public record StepResult(Step step, List<Problem> problems) {
  }

  private static final Set<String> TOP = Set.of("name", "description", "tags", "variables", "steps", "advanced_steps",
      "conditional_steps", "parallel", "loop_orchestration", "max_iterations", "hooks", "assertions", "abort_when",
      "enable_reporting", "report_path", "schedule");

  private final Fields f;
  private final ConditionParser conditions;
  private final HookParser hooks;
  private final AssertionParser assertions;
  private final StepParser steps;

  /** Variables a start gives, over the declared ones, for filling in (none for a plain parse). */
  private Map<String, Object> given = Map.of();

  private OrchestrationParser(Map<String, Integer> lines) {
    f = new Fields(lines);
    conditions = new ConditionParser(f);
    hooks = new HookParser(f, conditions);
    assertions = new AssertionParser(f, conditions);
    steps = new StepParser(f, conditions, hooks, assertions);
  }

  /**
   * Why {@code text} would not be read at all (longer than an orchestration may be, or YAML anchors and aliases),
   * on the field {@code text}; null when it would be read. For anything else that reads orchestration text.
   */
  public static Problem refusal(String text) {
    return Document.refusal(text);
  }

  /** Parses {@code text} as JSON when it starts with <code>{</code>, else as YAML. */
  public static Result parse(String text) {
    return parse(text, Map.of());
  }

  /**
   * Like {@link #parse(String)}, its strings filled in with {@code given} laid over the declared
   * {@code variables} (a start's or an execute's): a value that makes a step invalid is found before the run
   * starts, not when that step comes. The orchestration keeps its declared variables.
   */
  public static Result parse(String text, Map<String, Object> given) {
    Document document = Document.read(text);
    if (document.problem() != null) {
      return new Result(null, List.of(document.problem()), document.refused(), List.of(), List.of(), List.of());
    }
    OrchestrationParser parser = new OrchestrationParser(document.lines());
    parser.given = given;
    Orchestration orchestration = parser.orchestration(document.tree());
    boolean clean = parser.f.clean();
    return new Result(clean ? orchestration : null, parser.f.problems(), false, parser.steps.named(), parser.hooks.guarded(),
        clean ? parser.sameNames(orchestration.steps(), new HashMap<>(), new ArrayList<>(parser.emptiedInHooks)) : List.of());
  }

  /**
   * A warning for each step named as an earlier one (branches included): {@code step_succeeded} assertions and the
   * reports know a step by its name, so they cannot tell the two apart. Refusing them would invalidate
   * entries saved before; a name still holding a template is filled in only as the run goes, so it is left out.
   */
  private List<Problem> sameNames(List<Step> steps, Map<String, String> seen, List<Problem> warnings) {
    for (Step step : steps) {
      if (step == null) {
        continue;
      }
      String name = step.name();
      if (name != null && !HookParser.templated(name)) {
        String first = seen.putIfAbsent(name, step.path());
        if (first != null) {
          String path = at(step.path(), "name");
          warnings.add(new Problem(path, f.line(path), "the step " + first + " is named " + name
              + " too: step_succeeded assertions and reports that name a step cannot tell the two apart"));
        }
      }
      if (step.conditional()) {
        sameNames(step.thenSteps(), seen, warnings);
        sameNames(step.elseSteps(), seen, warnings);
      }
    }
    return warnings;
  }

  /**
   * Reads the step {@code step.source()} again with {@code variables} filled into its strings (an unknown
   * one becomes nothing) and {@code text} applied to what else they hold: a run does this as the step starts.
   */
  public static StepResult reparse(Step step, Function<String, Object> variables, Function<String, String> text) {
    OrchestrationParser parser = new OrchestrationParser(Map.of());
    parser.steps.fillWith(variables, false, text);
    parser.hooks.fillConditionsWith(variables);
    Step again = parser.steps.any(step.source(), step.path());
    return new StepResult(parser.f.clean() ? again : null, parser.f.problems());
  }

  private Orchestration orchestration(Object tree) {
    if (!(tree instanceof Map<?, ?>)) {
      f.problem("", "an orchestration must be an object with at least name and steps");
      return null;
    }
    Map<String, Object> m = Fields.map(tree);
    f.unknown(m, TOP, "");
    String name = f.string(m, "name", "", true);
    if (name != null && name.length() > Orchestration.MAX_NAME_LENGTH) {
      f.problem("name", "must be at most " + Orchestration.MAX_NAME_LENGTH + " characters, got " + name.length());
    }
    Map<String, Object> variables = f.variables(m, "variables", "");
    unknownPlaceholders(m, variables.keySet());
    Function<String, Object> known = v -> given.containsKey(v) ? given.get(v) : variables.get(v);
    steps.fillWith(known, true, Function.identity());
    hooks.fillConditionsWith(known);
    // the run's own assertions and abort guard read the variables as a step's do (a max of "${variables.error_threshold}"
    // was refused there as no number)
    Map<String, Object> top = new java.util.LinkedHashMap<>(m);
    for (String key : List.of("assertions", "abort_when")) {
      if (m.get(key) != null) {
        top.put(key, Templates.fill(m.get(key), known, true, Function.identity()));
      }
    }
    List<Step> all = new ArrayList<>();
    all.addAll(f.list(m, "steps", "").stream().map(e -> steps.step(e.value(), e.path())).toList());
    all.addAll(f.list(m, "advanced_steps", "").stream().map(e -> steps.advancedStep(e.value(), e.path())).toList());
    all.addAll(f.list(m, "conditional_steps", "").stream().map(e -> steps.conditionalStep(e.value(), e.path())).toList());
    if (all.isEmpty()) {
      f.problem("steps", "at least one step is required (steps, advanced_steps or conditional_steps)");
    }
    int maxIterations = f.whole(m, "max_iterations", "", 1, 0, Integer.MAX_VALUE);
    String schedule = f.string(m, "schedule", "", false);
    if (schedule != null) {
      try {
        Cron.parse(schedule);
      } catch (IllegalArgumentException e) {
        f.problem("schedule", e.getMessage());
      }
    }
    List<io.faultline.orchestration.model.Hook> globalHooks = hooks.hooks(m, "hooks", "", null);
    List<io.faultline.orchestration.model.Assertion> globalAssertions = assertions.global(top, "assertions", "");
    stepsNamed(all);
    boolean parallel = f.bool(m, "parallel", "", false);
    if (parallel) {
      onlyAtOnce(all);
    }
    boolean loop = f.bool(m, "loop_orchestration", "", false);
    if (!loop && maxIterations != 1) {
      // reference 003 writes max_iterations: 1 beside loop_orchestration: false; any other count did nothing
      f.problem("max_iterations", "runs the orchestration " + (maxIterations == 0 ? "without end" : maxIterations + " times")
          + " only with loop_orchestration: true; without it the run goes once");
    }
    return new Orchestration(name, f.string(m, "description", "", false), f.strings(m, "tags", ""), variables, all,
        parallel, loop, maxIterations,
        globalHooks, globalAssertions, guard(top), schedule, reporting(m));
  }

  /**
   * What a run sets itself, which a step may read: a step's measured metrics (every window metric; the {@code max_*}
   * ones are the whole run's, known only at its end) and the run's own two.
   */
  private static final Set<String> RUN_SET = java.util.stream.Stream.concat(
      MetricNames.NAMES.stream().filter(name -> !name.startsWith("max_")), java.util.stream.Stream.of("all_steps_succeeded", "last_step_status"))
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  /**
   * A {@code ${variables.X}} in a step that nothing declares, gives, sets ({@code set_variable}, a step's own
   * {@code variables}) or measures is refused here, naming it: it passed validation and a start, then became
   * nothing mid-run (a step named {@code "x "}) or failed its step when it came. Hooks fill their own fields
   * as they run and are left out, as {@link Templates} leaves them.
   */
  private void unknownPlaceholders(Map<String, Object> m, Set<String> declared) {
    Set<String> known = new java.util.TreeSet<>(declared);
    known.addAll(given.keySet());
    known.addAll(RUN_SET);
    setAnywhere(m, known);
    // the run's own assertions and abort guard too: a misspelt name there became nothing and failed the run at its end
    for (String list : List.of("steps", "advanced_steps", "conditional_steps", "assertions", "abort_when")) {
      placeholders(m.get(list), list, known);
      inHooks(m.get(list), list, known, false, false);
    }
    inHooks(m.get("hooks"), "hooks", known, true, false);
  }

  /** The fields of a hook's actions that are filled in as it runs (a hook's name, a method, a level are taken as written). */
  private static final Set<String> FILLED = Set.of("message", "value", "url", "body", "headers", "command", "args", "working_dir");

  /** Warnings: a hook's placeholder that names nothing known, which becomes empty as the hook runs ({@link #inHooks}). */
  private final List<Problem> emptiedInHooks = new ArrayList<>();

  /**
   * A hook's {@code ${variables.X}} naming nothing known is a warning, not a refusal: hooks are filled in as they run, and
   * text such as a shell's {@code ${HOME}} in a command was taken (it becomes empty, which the warning says). A
   * misspelt pod name went to {@code kubectl delete pod} as an empty argument without a word.
   */
  private void inHooks(Object node, String path, Set<String> known, boolean inHook, boolean filled) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        String key = String.valueOf(k);
        boolean hook = inHook || Templates.SKIPPED.contains(key);
        inHooks(v, at(path, key), known, hook, filled || inHook && FILLED.contains(key));
      });
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        inHooks(list.get(i), path + "[" + i + "]", known, inHook, filled);
      }
    } else if (inHook && filled && node instanceof String text) {
      java.util.regex.Matcher placeholder = Templates.VARIABLE.matcher(text);
      while (placeholder.find()) {
        if (!known.contains(placeholder.group(1))) {
          emptiedInHooks.add(new Problem(path, f.line(path), placeholder.group() + " names no variable, and becomes empty when the hook"
              + " runs: declare " + placeholder.group(1) + " under variables, or set it with a set_variable action (known: " + known + ")"));
        }
      }
    }
  }

  private static void setAnywhere(Object node, Set<String> known) {
    if (node instanceof Map<?, ?> map) {
      if ("set_variable".equals(map.get("type")) && map.get("name") instanceof String name) {
        known.add(name);
      }
      map.forEach((k, v) -> {
        if ("variables".equals(k) && v instanceof Map<?, ?> vars) {
          vars.keySet().forEach(name -> known.add(String.valueOf(name)));
        }
        setAnywhere(v, known);
      });
    } else if (node instanceof List<?> list) {
      list.forEach(v -> setAnywhere(v, known));
    }
  }

  private void placeholders(Object node, String path, Set<String> known) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        if (!Templates.SKIPPED.contains(String.valueOf(k))) {
          placeholders(v, at(path, String.valueOf(k)), known);
        }
      });
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        placeholders(list.get(i), path + "[" + i + "]", known);
      }
    } else if (node instanceof String text) {
      java.util.regex.Matcher placeholder = Templates.VARIABLE.matcher(text);
      while (placeholder.find()) {
        if (!known.contains(placeholder.group(1))) {
          f.problem(path, placeholder.group() + " names no variable: declare " + placeholder.group(1)
              + " under variables, or set it with a set_variable action (known: " + known + ")");
        }
      }
    }
  }

  /** A {@code step_succeeded} or {@code step_failed} naming no step of the orchestration could never hold: refused. */
  private void stepsNamed(List<Step> all) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    java.util.Deque<Step> todo = new java.util.ArrayDeque<>(all.stream().filter(java.util.Objects::nonNull).toList());
    while (!todo.isEmpty()) {
      Step step = todo.pop();
      if (step.name() != null) {
        names.add(step.name());
      }
      java.util.stream.Stream.of(step.thenSteps(), step.elseSteps()).filter(java.util.Objects::nonNull)
          .forEach(branch -> branch.stream().filter(java.util.Objects::nonNull).forEach(todo::push));
    }
    for (String[] ref : assertions.stepRefs) {
      if (!names.contains(ref[1]) && !ref[1].contains("${")) {
        f.problem(ref[0], "no step is named " + ref[1] + " in this orchestration (its steps: " + names + ")");
      }
    }
  }

  /**
   * A parallel run applies every step's chaos together and holds it: what orders or gates steps would be
   * ignored without a word, so it is refused, naming it.
   */
  private void onlyAtOnce(List<Step> all) {
    String why = "a parallel orchestration applies all its steps at once; ";
    for (Step step : all) {
      if (step == null) {
        continue;
      }
      if (step.conditional()) {
        f.problem(step.path(), why + "a conditional step has no place in it (give parallel: false to run it)");
      } else if (step.condition() != null) {
        f.problem(at(step.path(), "condition"), why + "a step's condition is not checked (give parallel: false to run it)");
      } else if (step.delayBeforeSeconds() > 0) {
        f.problem(at(step.path(), "delay_before_seconds"), why + "a step cannot start later (give parallel: false to run it)");
      }
    }
  }

  private Guard guard(Map<String, Object> m) {
    if (m.get("abort_when") == null) {
      return null;
    }
    Map<String, Object> g = f.object(m.get("abort_when"), "abort_when");
    if (g == null) {
      return null;
    }
    f.unknown(g, Set.of("condition", "for_seconds", "window_seconds"), "abort_when");
    Condition c = conditions.required(g.get("condition"), at("abort_when", "condition"));
    return new Guard(c, f.number(g, "for_seconds", "abort_when", 0, 0, 86_400),
        f.number(g, "window_seconds", "abort_when", 10, 1, 3_600));
  }

  /** {@code enable_reporting} and {@code report_path}: a relative path that stays in the state directory, of a known format. */
  private Reporting reporting(Map<String, Object> m) {
    boolean enabled = f.bool(m, "enable_reporting", "", false);
    String path = f.string(m, "report_path", "", false);
    if (path == null) {
      if (enabled) {
        f.problem("report_path", "is required with enable_reporting: true (where the report goes, e.g. ./reports/run-{{timestamp}}.html)");
      }
      return new Reporting(enabled, null);
    }
    if (!m.containsKey("enable_reporting")) {
      f.problem("enable_reporting", "is needed for report_path to be written: add enable_reporting: true (or false to keep the path unused)");
    }
    try {
      Path p = Path.of(path.replace("{{timestamp}}", "0")).normalize();
      if (p.isAbsolute() || p.startsWith("..") || p.toString().isEmpty()) {
        f.problem("report_path", "must be a path inside the node's state directory (relative, without leading ..), got " + path);
      } else if (Reporting.format(path) == null) {
        f.problem("report_path", "must end in .html, .htm, .xml (JUnit) or .json, got " + path);
      } else if (Reporting.nodeOwn(p) != null) {
        f.problem("report_path", Reporting.nodeOwn(p));
      }
    } catch (InvalidPathException e) {
      f.problem("report_path", "is not a path: " + path);
    }
    return new Reporting(enabled, path);
  }
}
