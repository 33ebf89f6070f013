package io.faultline.orchestration.parse;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.orchestration.model.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** The fields of orchestration requests on the event bus, each refused with an error naming it. */
public final class Requests {

  private Requests() {
  }

  /** {@code text}: the orchestration, YAML or JSON. */
  public static String text(JsonObject body) {
    Object text = body == null ? null : body.getValue("text");
    if (!(text instanceof String s) || s.isBlank()) {
      throw new ChaosConfigException("text", "the orchestration (YAML or JSON text) is required");
    }
    return s;
  }

  /** A required non-blank string field. */
  public static String required(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new ChaosConfigException(field, "is required");
    }
    return s;
  }

  /** {@code variables}: an object of values laid over the orchestration's own (none when absent). */
  public static Map<String, Object> variables(JsonObject body) {
    Object vars = body == null ? null : body.getValue("variables");
    if (vars != null && !(vars instanceof JsonObject)) {
      throw new ChaosConfigException("variables", "must be an object");
    }
    return vars == null ? Map.of() : ((JsonObject) vars).getMap();
  }

  /**
   * Refuses a given variable that {@code text} neither declares nor mentions anywhere (a condition, an
   * assertion, a placeholder, a hook): a misspelling ({@code dealy} for {@code delay}) would otherwise run
   * with the declared value, and the run would measure something else than asked.
   */
  public static void usedVariables(String text, java.util.Set<String> declared, Map<String, Object> given) {
    for (String name : given.keySet()) {
      if (!declared.contains(name) && !java.util.regex.Pattern.compile("(?<![A-Za-z0-9_])" + java.util.regex.Pattern.quote(name)
          + "(?![A-Za-z0-9_])").matcher(text).find()) {
        throw new ChaosConfigException("variables." + name, "the orchestration neither declares nor uses it (it declares "
            + new java.util.TreeSet<>(declared) + "): misspelt?");
      }
    }
  }

  /** The error an invalid orchestration is refused with: its first problem, and how many more there are. */
  public static ChaosConfigException invalid(OrchestrationParser.Result parsed) {
    return new ChaosConfigException(parsed.problems().get(0).path(),
        "invalid orchestration: " + parsed.problems().get(0) + (parsed.problems().size() > 1
            ? " (and " + (parsed.problems().size() - 1) + " more; validate it for all)" : ""));
  }

  /** The answer to validate: {@code {valid, problems: [{path, line, message}], name}}; valid when there are no {@code problems}. */
  public static JsonObject validation(List<Problem> problems, OrchestrationParser.Result result) {
    JsonArray list = new JsonArray();
    problems.forEach(p -> list.add(new JsonObject().put("path", p.path()).put("line", p.line()).put("message", p.message())));
    return new JsonObject().put("valid", problems.isEmpty()).put("problems", list)
        .put("name", result.orchestration() == null ? null : result.orchestration().name());
  }
}
