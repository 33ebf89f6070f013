package io.faultline.orchestration.parse;

import static io.faultline.orchestration.parse.Fields.at;
import static io.faultline.orchestration.parse.Fields.sorted;

import io.faultline.orchestration.model.Action;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.GuardedAction;
import io.faultline.orchestration.model.Hook;
import io.faultline.orchestration.model.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads hooks and their actions. */
public final class HookParser {

  static final Set<String> HOOK_TYPES = Set.of("pre_step", "post_step", "pre_orchestration", "post_orchestration");
  static final Set<String> ACTIONS = Set.of("log", "set_variable", "record_metric", "http_request", "command");
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");

  private final Fields f;
  private final ConditionParser conditions;
  private final List<GuardedAction> guarded = new ArrayList<>();
  /** What a hook's condition is checked with as it is read (it is filled as its hook runs, as its actions are). */
  private java.util.function.Function<String, Object> variables = name -> null;

  HookParser(Fields fields, ConditionParser conditions) {
    this.f = fields;
    this.conditions = conditions;
  }

  /**
   * The values the hooks' conditions are checked with as they are read (an unknown placeholder is kept): a condition
   * with placeholders keeps them, and fills them as its hook runs ({@link #condition}).
   */
  void fillConditionsWith(java.util.function.Function<String, Object> variables) {
    this.variables = variables;
  }

  /**
   * A hook's condition, checked as the values known now make it (a greater_than needs a number), and kept with its
   * placeholders when it has some: they are filled as the hook runs, with the values of that moment. Filled here for
   * good, a value a set_variable gave later was never seen (the hook compared the file's value, or the placeholder's text).
   */
  private Condition condition(Object raw, String path) {
    if (raw == null) {
      return null;
    }
    Condition checked = conditions.condition(Templates.fill(raw, variables, true, java.util.function.Function.identity()), path);
    if (checked == null || !Templates.hasPlaceholders(raw)) {
      return checked;
    }
    Condition kept = new ConditionParser(new Fields(Map.of())).condition(raw, path); // its problems were said above
    return kept == null ? checked : kept;
  }

  /** Whether {@code text} has a variable or placeholder filled in as the hook runs (${variables.x}, {{timestamp}}). */
  public static boolean templated(String text) {
    return text.contains("${") || text.contains("{{");
  }

  /** What is wrong with {@code url} as an http_request's target, or null. */
  private static String urlProblem(String url) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(url.trim());
    } catch (java.net.URISyntaxException e) {
      return e.getReason() + " at index " + e.getIndex();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return uri.getScheme() == null ? "no scheme" : "scheme " + uri.getScheme();
    }
    if (uri.getHost() == null) {
      return "no host";
    }
    return uri.getPort() > 65535 ? "port " + uri.getPort() : null;
  }

  /** The {@code command} and {@code http_request} actions read so far, for what the node's permissions say of them. */
  List<GuardedAction> guarded() {
    return guarded;
  }

  /** The hooks under {@code field}; {@code defaultType} is the type of hooks that do not say (a step's pre or post hooks). */
  List<Hook> hooks(Map<String, Object> m, String field, String path, String defaultType) {
    List<Hook> hooks = new ArrayList<>();
    for (Fields.Entry e : f.list(m, field, path)) {
      Map<String, Object> h = f.object(e.value(), e.path());
      if (h == null) {
        continue;
      }
      f.unknown(h, Set.of("name", "hook_type", "actions", "condition", "required"), e.path());
      String type = h.containsKey("hook_type") ? f.string(h, "hook_type", e.path(), true) : defaultType;
      if (type == null) {
        f.problem(at(e.path(), "hook_type"), "is required: one of " + sorted(HOOK_TYPES));
      } else if (defaultType != null && !type.equals(defaultType) && HOOK_TYPES.contains(type)) {
        // a step's pre_hooks run before it and its post_hooks after it, whatever they said: a post_orchestration
        // hook there ran before the step, with no word
        f.problem(at(e.path(), "hook_type"), "must be " + defaultType + " in " + field + " (or left out), got " + type
            + ": hooks of other types go in the orchestration's hooks");
      } else {
        f.oneOf(type, HOOK_TYPES, at(e.path(), "hook_type"));
      }
      List<Action> actions = f.list(h, "actions", e.path()).stream().map(a -> action(a.value(), a.path())).toList();
      if (actions.isEmpty()) {
        f.problem(at(e.path(), "actions"), "a hook needs at least one action");
      }
      hooks.add(new Hook(f.string(h, "name", e.path(), false), type, actions, condition(h.get("condition"), at(e.path(), "condition")),
          f.bool(h, "required", e.path(), false)));
    }
    return hooks;
  }

  private Action action(Object value, String path) {
    Map<String, Object> m = f.typed(value, path);
    if (m == null) {
      return null;
    }
    String type = (String) m.get("type");
    switch (type) {
      case "log" -> {
        f.unknown(m, Set.of("type", "message", "level"), path);
        f.string(m, "message", path, true);
        String level = f.string(m, "level", path, false);
        if (level != null && !LEVELS.contains(level)) {
          f.problem(at(path, "level"), "must be one of trace, debug, info, warn, error; got " + level);
        }
      }
      case "set_variable", "record_metric" -> {
        f.unknown(m, Set.of("type", "name", "value"), path);
        f.string(m, "name", path, true);
        Object given = m.get("value");
        if (!m.containsKey("value")) {
          f.problem(at(path, "value"), "is required");
        } else if (type.equals("record_metric") && !(given instanceof String text && templated(text)) && !Numbers.finite(given)) {
          f.problem(at(path, "value"), "must be a number (or text that is one, or a ${variable} that holds one), got " + given);
        }
      }
      case "http_request" -> {
        f.unknown(m, Set.of("type", "url", "method", "body", "headers", "timeout_ms", "expected_status"), path);
        String url = f.string(m, "url", path, true);
        String wrong = url == null || templated(url) ? null : urlProblem(url);
        if (wrong != null) {
          f.problem(at(path, "url"), "must be an http:// or https:// URL with a host (and a port up to 65535): " + wrong + ", got " + url);
        }
        String method = f.string(m, "method", path, false);
        if (method != null && !METHODS.contains(method.toUpperCase())) {
          f.problem(at(path, "method"), "must be an HTTP method, got " + method);
        }
        f.number(m, "timeout_ms", path, 5_000, 1, 600_000);
        // taken and ignored, a required gate passed: "204" as text was any status under 400, headers as text none
        f.whole(m, "expected_status", path, 0, 100, 599);
        Object headers = m.get("headers");
        if (headers != null) {
          Map<String, Object> named = f.object(headers, at(path, "headers"));
          if (named != null) {
            named.forEach((name, given) -> {
              if (given == null || given instanceof Map<?, ?> || given instanceof List<?>) {
                f.problem(at(at(path, "headers"), name), "must be text (or a number), got " + (given == null ? "nothing" : given));
              }
            });
          }
        }
        guarded.add(new GuardedAction(path, f.line(path), type, String.valueOf(m.get("url"))));
      }
      case "command" -> {
        f.unknown(m, Set.of("type", "command", "args", "timeout_seconds", "working_dir"), path);
        f.string(m, "command", path, true);
        f.strings(m, "args", path);
        f.number(m, "timeout_seconds", path, 30, 0.001, 3_600);
        guarded.add(new GuardedAction(path, f.line(path), type, String.valueOf(m.get("command"))));
      }
      default -> f.oneOf(type, ACTIONS, at(path, "type"));
    }
    return new Action(type, m);
  }
}
