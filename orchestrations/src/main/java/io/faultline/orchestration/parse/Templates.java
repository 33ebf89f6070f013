package io.faultline.orchestration.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ${variables.x}} (or {@code ${x}}) into the strings of a step as written. A string that is
 * exactly one placeholder becomes the variable's value as it is (a number stays a number, so
 * {@code fixed_delay_ms: "${variables.delay}"} works); placeholders inside a longer string are replaced by
 * the value's text. Hooks are left alone: they fill in their own fields when they run, with the values
 * of that moment.
 */
public final class Templates {

  /** The placeholder; group 1 is the variable name. */
  public static final Pattern VARIABLE = Pattern.compile("\\$\\{(?:variables\\.)?([A-Za-z0-9_.-]+)}");
  static final Set<String> SKIPPED = Set.of("pre_hooks", "post_hooks");

  private Templates() {
  }

  /**
   * {@code value} with its strings filled in: {@code lookup} answers a variable's value (null: unknown);
   * {@code unknown} says what an unknown placeholder becomes (itself, at validation; nothing, at run time);
   * {@code text} then fills whatever else a string holds ({@code {{now}}} at run time).
   */
  public static Object fill(Object value, Function<String, Object> lookup, boolean keepUnknown, Function<String, String> text) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), SKIPPED.contains(String.valueOf(k)) ? v : fill(v, lookup, keepUnknown, text)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(fill(v, lookup, keepUnknown, text)));
      return out;
    }
    if (!(value instanceof String s) || !s.contains("${") && !s.contains("{{")) {
      return value;
    }
    Matcher whole = VARIABLE.matcher(s);
    if (whole.matches() && lookup.apply(whole.group(1)) != null) {
      // an object or a list given as JSON (--var 'cfg={...}', ?variables=) is a Vert.x JsonObject or JsonArray here, once
      // the event bus has copied it: plain, as the file's own are, or a step's config refused it as no object
      return Document.plain(lookup.apply(whole.group(1)));
    }
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object v = lookup.apply(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v != null ? String.valueOf(v) : keepUnknown ? m.group() : ""));
    }
    m.appendTail(out);
    return text.apply(out.toString());
  }

  /** {@code value} with Vert.x's JSON types as the plain maps and lists they hold (what the event bus made of a given object). */
  public static Object plain(Object value) {
    return Document.plain(value);
  }

  /** Whether {@code value} holds anything to fill in (so a step without placeholders is not parsed again). */
  public static boolean hasPlaceholders(Object value) {
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream().anyMatch(e -> !SKIPPED.contains(String.valueOf(e.getKey())) && hasPlaceholders(e.getValue()));
    }
    if (value instanceof List<?> list) {
      return list.stream().anyMatch(Templates::hasPlaceholders);
    }
    return value instanceof String s && (s.contains("${") || s.contains("{{"));
  }
}
