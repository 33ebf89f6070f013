package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;

import io.faultline.orchestration.library.Cron;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.Guard;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.model.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an orchestration in the YAML or JSON formats of references 003 and 004 and checks all of it:
 * every problem is reported with its field path (and its line, for YAML), not just the first. A
 * scenario name is not checked here (a saved scenario may appear later); it fails its step at run time.
 */
public final class OrchestrationParser {

  /**
   * The outcome: an orchestration, or the problems that stop it. {@code refused}: the text was not read
   * at all (too long, or YAML anchors and aliases), which callers answer as a bad request rather than
   * as an invalid orchestration.
   */
  public record Result(Orchestration orchestration, List<Problem> problems, boolean refused) {

    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private static final Set<String> TOP = Set.of("name", "description", "tags", "variables", "steps", "advanced_steps",
      "conditional_steps", "parallel", "loop_orchestration", "max_iterations", "hooks", "assertions", "abort_when",
      "enable_reporting", "report_path", "schedule");

  private final Fields f;
  private final ConditionParser conditions;
  private final HookParser hooks;
  private final AssertionParser assertions;
  private final StepParser steps;

  private OrchestrationParser(Map<String, Integer> lines) {
    f = new Fields(lines);
    conditions = new ConditionParser(f);
    hooks = new HookParser(f, conditions);
    assertions = new AssertionParser(f, conditions);
    steps = new StepParser(f, conditions, hooks, assertions);
  }

  /** Parses {@code text} as JSON when it starts with <code>{</code>, else as YAML. */
  public static Result parse(String text) {
    Document document = Document.read(text);
    if (document.problem() != null) {
      return new Result(null, List.of(document.problem()), document.refused());
    }
    OrchestrationParser parser = new OrchestrationParser(document.lines());
    Orchestration orchestration = parser.orchestration(document.tree());
    return new Result(parser.f.clean() ? orchestration : null, parser.f.problems(), false);
  }

  private Orchestration orchestration(Object tree) {
    if (!(tree instanceof Map<?, ?>)) {
      f.problem("", "an orchestration must be an object with at least name and steps");
      return null;
    }
    Map<String, Object> m = Fields.map(tree);
    f.unknown(m, TOP, "");
    String name = f.string(m, "name", "", true);
    List<Step> all = new ArrayList<>();
    all.addAll(f.list(m, "steps", "").stream().map(e -> steps.step(e.value(), e.path())).toList());
    all.addAll(f.list(m, "advanced_steps", "").stream().map(e -> steps.advancedStep(e.value(), e.path())).toList());
    all.addAll(f.list(m, "conditional_steps", "").stream().map(e -> steps.conditionalStep(e.value(), e.path())).toList());
    if (all.isEmpty()) {
      f.problem("steps", "at least one step is required (steps, advanced_steps or conditional_steps)");
    }
    int maxIterations = (int) f.number(m, "max_iterations", "", 1, 0, Integer.MAX_VALUE);
    String schedule = f.string(m, "schedule", "", false);
    if (schedule != null) {
      try {
        Cron.parse(schedule);
      } catch (IllegalArgumentException e) {
        f.problem("schedule", e.getMessage());
      }
    }
    return new Orchestration(name, f.string(m, "description", "", false), f.strings(m, "tags", ""),
        f.variables(m, "variables", ""), all, f.bool(m, "parallel", "", false), f.bool(m, "loop_orchestration", "", false),
        maxIterations, hooks.hooks(m, "hooks", "", null), assertions.assertions(m, "assertions", ""), guard(m), schedule);
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
}
