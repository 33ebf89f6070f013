package io.faultline.orchestration.parse;

import io.faultline.orchestration.model.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one document: each helper reports a problem (with the field's path and, for
 * YAML, its line) and answers a usable default, so parsing goes on and every problem is found.
 */
final class Fields {

  /** A list element and its path ({@code steps[2]}). */
  record Entry(Object value, String path) {
  }

  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, Integer> lines;

  Fields(Map<String, Integer> lines) {
    this.lines = lines;
  }

  List<Problem> problems() {
    return List.copyOf(problems);
  }

  boolean clean() {
    return problems.isEmpty();
  }

  void problem(String path, String message) {
    problems.add(new Problem(path, line(path), message));
  }

  /** The line of {@code path} in a YAML file, or of the nearest field above it that has one (0: unknown). */
  int line(String path) {
    String p = path;
    int line = lines.getOrDefault(p, 0);
    while (line == 0 && !p.isEmpty()) {
      p = parent(p);
      line = lines.getOrDefault(p, 0);
    }
    return line;
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** Reports {@code path} as required; answers null for the caller to use. */
  <T> T missing(String path) {
    problem(path, "is required");
    return null;
  }

  void unknown(Map<String, Object> m, Set<String> known, String path) {
    for (String key : m.keySet()) {
      if (!known.contains(key)) {
        problem(at(path, key), "unknown field; expected one of " + sorted(known));
      }
    }
  }

  Map<String, Object> object(Object value, String path) {
    if (value instanceof Map<?, ?>) {
      return map(value);
    }
    problem(path, "must be an object, got " + (value == null ? "nothing" : value));
    return null;
  }

  /** An object with a string {@code type} (a condition, an action, an assertion), or null when it is not one (reported). */
  Map<String, Object> typed(Object value, String path) {
    Map<String, Object> m = object(value, path);
    return m == null || string(m, "type", path, true) == null ? null : m;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  String string(Map<String, Object> m, String field, String path, boolean required) {
    Object v = m.get(field);
    if (v == null) {
      if (required) {
        problem(at(path, field), "is required");
      }
      return null;
    }
    if (v instanceof String s) {
      if (required && s.isBlank()) {
        problem(at(path, field), "must not be empty");
        return null;
      }
      return s;
    }
    // YAML reads an unquoted yes, off, 2024 or 2024-01-01 as a boolean, number or date
    problem(at(path, field), "must be a string, got " + v
        + (v instanceof Boolean || v instanceof Number || v instanceof java.util.Date ? " (quote it: YAML read it as a " + (v instanceof Boolean
            ? "boolean" : v instanceof Number ? "number" : "date") + ")" : ""));
    return null;
  }

  boolean bool(Map<String, Object> m, String field, String path, boolean dflt) {
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

  double number(Map<String, Object> m, String field, String path, double dflt, double min, double max) {
    Object v = m.get(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n)) {
      problem(at(path, field), "must be a number, got " + v);
      return dflt;
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < min || d > max) { // YAML's .nan passed every range: a guard's for_seconds, a step's duration
      problem(at(path, field), "must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
      return dflt;
    }
    return d;
  }

  /** As {@link #number}, a whole number: 0.5 was cut to 0, and a loop of at most 0.5 iterations ran without end. */
  int whole(Map<String, Object> m, String field, String path, int dflt, int min, int max) {
    double d = number(m, field, path, dflt, min, max);
    if (d != Math.rint(d)) {
      problem(at(path, field), "must be a whole number, got " + m.get(field));
      return dflt;
    }
    return (int) d;
  }

  private static String fmt(double d) {
    return d == (long) d ? Long.toString((long) d) : Double.toString(d);
  }

  List<Entry> list(Map<String, Object> m, String field, String path) {
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

  List<String> strings(Map<String, Object> m, String field, String path) {
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

  Map<String, Object> variables(Map<String, Object> m, String field, String path) {
    Object v = m.get(field);
    if (v == null) {
      return Map.of();
    }
    Map<String, Object> vars = object(v, at(path, field));
    return vars == null ? Map.of() : vars;
  }

  /** {@code value} is one of {@code allowed}, else a problem at {@code path}. */
  void oneOf(String value, Set<String> allowed, String path) {
    if (value != null && !allowed.contains(value)) {
      problem(path, "must be one of " + sorted(allowed) + ", got " + value);
    }
  }

  static List<String> sorted(Set<String> set) {
    return set.stream().sorted().toList();
  }
}
