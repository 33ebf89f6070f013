package io.faultline.orchestration.report;

import static io.faultline.orchestration.report.StepResult.number;
import static io.faultline.orchestration.report.StepResult.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run did, as the experiment history keeps it: its status ({@code succeeded}, {@code failed},
 * {@code stopped}, {@code aborted}), times, iterations, every step's result, the metrics of the whole
 * run and the global assertions, the custom metrics hooks recorded, the variables at the end, errors,
 * warnings and the hook log. Long runs keep their newest {@link #KEPT_STEPS} step results and say how
 * many older ones were left out ({@code stepsOmitted}).
 *
 * <p>{@link #toJson} is the report JSON the REST API serves and nodes store: the fields it always had, in
 * the same order, then {@code warnings}, and {@code tags}, {@code steps_omitted} and {@code report_file}
 * when they apply. {@code tags} are the tags of the orchestration that ran, so the run carries them to
 * whichever node keeps it (null: a report from a node that did not write them).
 */
public record RunReport(String id, String name, String description, List<String> tags, String mode, String status, long startedAt,
    long endedAt, int iterations, List<StepResult> steps, JsonObject metrics, List<AssertionResult> assertions,
    Map<String, Double> customMetrics, JsonObject variables, List<String> errors, List<String> log, List<String> warnings,
    int stepsOmitted, String reportFile) {

  /** The step results a report keeps (the newest), so a run of many iterations cannot grow without bound. */
  public static final int KEPT_STEPS = 1_000;

  public RunReport {
    tags = tags == null ? null : List.copyOf(tags);
    steps = List.copyOf(steps);
    metrics = metrics == null ? new JsonObject() : metrics.copy();
    assertions = List.copyOf(assertions);
    customMetrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(customMetrics));
    variables = variables == null ? new JsonObject() : variables.copy();
    errors = List.copyOf(errors);
    log = List.copyOf(log);
    warnings = List.copyOf(warnings);
  }

  public long durationMs() {
    return endedAt - startedAt;
  }

  /** The same report, written to {@code file} too. */
  public RunReport withReportFile(String file) {
    return new RunReport(id, name, description, tags, mode, status, startedAt, endedAt, iterations, steps, metrics, assertions,
        customMetrics, variables, errors, log, warnings, stepsOmitted, file);
  }

  /** The same report with one more error (something that went wrong after the run, writing its report file). */
  public RunReport withError(String error) {
    List<String> more = new ArrayList<>(errors);
    more.add(error);
    return new RunReport(id, name, description, tags, mode, status, startedAt, endedAt, iterations, steps, metrics, assertions,
        customMetrics, variables, more, log, warnings, stepsOmitted, reportFile);
  }

  public JsonObject toJson() {
    JsonArray stepJson = new JsonArray();
    steps.forEach(s -> stepJson.add(s.toJson()));
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("description", description)
        .put("mode", mode)
        .put("status", status)
        .put("started_at", startedAt)
        .put("ended_at", endedAt)
        .put("duration_ms", durationMs())
        .put("iterations", iterations)
        .put("steps", stepJson)
        .put("metrics", metrics.copy())
        .put("assertions", AssertionResult.toJson(assertions))
        .put("custom_metrics", new JsonObject(new LinkedHashMap<>(customMetrics)))
        .put("variables", variables.copy())
        .put("errors", new JsonArray(new ArrayList<>(errors)))
        .put("log", new JsonArray(new ArrayList<>(log)))
        .put("warnings", new JsonArray(new ArrayList<>(warnings)));
    if (tags != null) {
      json.put("tags", new JsonArray(new ArrayList<>(tags)));
    }
    if (stepsOmitted > 0) {
      json.put("steps_omitted", stepsOmitted);
    }
    if (reportFile != null) {
      json.put("report_file", reportFile);
    }
    return json;
  }

  /**
   * Reads a report's JSON. Whatever is missing or of the wrong type reads as empty (0, "", no steps), so
   * a report from an older node, another tool or a peer still renders.
   */
  public static RunReport fromJson(JsonObject json) {
    List<StepResult> steps = new ArrayList<>();
    if (json.getValue("steps") instanceof JsonArray a) {
      a.forEach(o -> {
        if (o instanceof JsonObject s) {
          steps.add(StepResult.fromJson(s));
        }
      });
    }
    Map<String, Double> custom = new LinkedHashMap<>();
    if (json.getValue("custom_metrics") instanceof JsonObject c) {
      c.forEach(e -> {
        if (e.getValue() instanceof Number n) {
          custom.put(e.getKey(), n.doubleValue());
        }
      });
    }
    long started = number(json.getValue("started_at"));
    long ended = json.getValue("ended_at") == null ? started + number(json.getValue("duration_ms")) : number(json.getValue("ended_at"));
    return new RunReport(text(json.getValue("id")), text(json.getValue("name")),
        json.getValue("description") == null ? null : String.valueOf(json.getValue("description")),
        json.getValue("tags") instanceof JsonArray ? strings(json.getValue("tags")) : null,
        json.getValue("mode") == null ? "sequential" : String.valueOf(json.getValue("mode")), text(json.getValue("status")),
        started, ended, (int) number(json.getValue("iterations")), steps,
        json.getValue("metrics") instanceof JsonObject m ? m : null,
        AssertionResult.fromJson(json.getValue("assertions") instanceof JsonArray a ? a : null), custom,
        json.getValue("variables") instanceof JsonObject v ? v : null, strings(json.getValue("errors")), strings(json.getValue("log")),
        strings(json.getValue("warnings")), (int) number(json.getValue("steps_omitted")),
        json.getValue("report_file") == null ? null : String.valueOf(json.getValue("report_file")));
  }

  private static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray a) {
      a.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }
}
