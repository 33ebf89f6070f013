package io.faultline.orchestration.run;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.orchestration.hook.HookContext;
import io.faultline.orchestration.parse.Templates;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * What a run accumulates besides step results: its variables, the custom metrics hooks record, its
 * errors, warnings and log. Confined to the run's event loop: hooks that work on other threads hand
 * their lines back there, and writing the log from anywhere else is refused at once rather than
 * corrupting it.
 */
final class RunState implements HookContext {

  static final int KEPT_LINES = 1_000;

  final Map<String, Object> variables = new LinkedHashMap<>();
  final Map<String, Double> customMetrics = new LinkedHashMap<>();
  final Bounded errors = new Bounded(KEPT_LINES, false);
  final Bounded warnings = new Bounded(KEPT_LINES, false);
  final Bounded log = new Bounded(KEPT_LINES, true);
  /** What the last step's window of traffic showed (conditions and hooks read it). */
  JsonObject lastMetrics = new JsonObject();
  private final RunClock clock;
  private final Watchdog watchdog;
  private long startedAt;
  private Context owner;

  RunState(RunClock clock, Watchdog watchdog, Map<String, Object> variables) {
    this.clock = clock;
    this.watchdog = watchdog;
    this.variables.putAll(variables);
  }

  /** From now on only {@code context} may write the log. */
  void confineTo(Context context, long startedAtMs) {
    this.owner = context;
    this.startedAt = startedAtMs;
  }

  @Override
  public String interpolate(String text) {
    Matcher m = Templates.VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object value = variables.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : String.valueOf(value)));
    }
    m.appendTail(out);
    return times(out.toString());
  }

  @Override
  public Object value(String text) {
    Matcher whole = Templates.VARIABLE.matcher(text);
    Object value = whole.matches() ? variables.get(whole.group(1)) : null;
    return value != null ? value : interpolate(text);
  }

  /** {@code text} with {@code {{now}}}, {@code {{timestamp}}} (epoch seconds) and {@code {{duration}}} (seconds of the run so far). */
  String times(String text) {
    if (!text.contains("{{")) {
      return text;
    }
    long now = clock.millis();
    return text.replace("{{now}}", Instant.ofEpochMilli(now).toString())
        .replace("{{timestamp}}", Long.toString(now / 1000))
        .replace("{{duration}}", String.format(Locale.ROOT, "%.1f", (now - startedAt) / 1000.0));
  }

  /**
   * Lays a step's own {@code variables} over the run's while that step goes on; the answer puts back what they
   * covered once it has ended: 004's variable scopes are global and step-level, and a step's own values stayed for
   * every later step (a step that set {@code delay: 500} over a global 100 ran the next one at 500 too).
   */
  Runnable scoped(Map<String, Object> own) {
    if (own.isEmpty()) {
      return () -> { };
    }
    long since = writes;
    Map<String, Object> covered = new LinkedHashMap<>();
    java.util.Set<String> unset = new java.util.HashSet<>();
    own.keySet().forEach(name -> {
      if (variables.containsKey(name)) {
        covered.put(name, variables.get(name));
      } else {
        unset.add(name);
      }
    });
    variables.putAll(own);
    // what a set_variable wrote meanwhile stays: the step's end put back the value its own had covered over it
    java.util.function.Predicate<String> setSince = name -> writtenAt.getOrDefault(name, 0L) > since;
    return () -> {
      unset.stream().filter(setSince.negate()).forEach(variables::remove);
      covered.forEach((name, value) -> {
        if (!setSince.test(name)) {
          variables.put(name, value);
        }
      });
    };
  }

  /** How many set_variable writes the run has made, and the last one of each name: what a step's scope leaves as set. */
  private long writes;
  private final Map<String, Long> writtenAt = new java.util.HashMap<>();

  @Override
  public void setVariable(String name, Object value) {
    variables.put(name, value);
    writtenAt.put(name, ++writes);
  }

  @Override
  public void recordMetric(String name, double value) {
    customMetrics.put(name, value);
  }

  @Override
  public void log(String line) {
    if (owner != null && Vertx.currentContext() != owner) {
      throw new IllegalStateException("the run's log is written on its event loop only, not on " + Thread.currentThread().getName());
    }
    log.add(Instant.ofEpochMilli(clock.millis()) + " " + line);
  }

  @Override
  public void error(String message) {
    errors.add(message);
  }

  @Override
  public void warn(String message) {
    warnings.add(message);
  }

  @Override
  public void expect(String what, long withinMs) {
    watchdog.expect(what, withinMs);
  }

  /** Set when the run is stopped; read by hook actions on other threads. */
  private volatile boolean stopping;

  /** Set when the clean-up hooks start: a stop before them does not end their commands. */
  private volatile boolean cleaningUp;

  void markStopping() {
    stopping = true;
  }

  void cleaningUp() {
    cleaningUp = true;
  }

  /** The node stops: the clean-up hooks' commands are ended as others are. */
  void endCleanUp() {
    cleaningUp = false;
  }

  @Override
  public boolean stopping() {
    return stopping && !cleaningUp;
  }

  /** A step's window was measured: its metrics become the last metrics, and variables. */
  void measured(JsonObject metrics) {
    lastMetrics = metrics;
    metrics.forEach(e -> variables.put(e.getKey(), e.getValue()));
  }

  JsonObject variablesJson() {
    // Vert.x's JSON types as the maps and lists they hold (a variable given at the start, by --var or ?variables=, is one):
    // Jackson's mapper wrote them as beans, {"map": {...}, "empty": false}, in the report and the failover checkpoint
    return new JsonObject(ChaosJson.toMap(io.faultline.orchestration.parse.Templates.plain(variables)));
  }
}
