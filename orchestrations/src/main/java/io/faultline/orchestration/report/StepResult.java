package io.faultline.orchestration.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one step did: its status ({@code succeeded}, {@code failed}, {@code skipped}, or the run's
 * {@code stopped}/{@code aborted} when that cut it short), when, the metrics its window of traffic
 * showed, its assertions and, unless it succeeded, why. A conditional step also says which
 * {@code branch} it took ({@code then}/{@code else}; null for other steps).
 */
public record StepResult(String name, int iteration, String status, long startedAt, long endedAt, JsonObject metrics,
    List<AssertionResult> assertions, String error, String branch) {

  public StepResult {
    metrics = metrics == null ? new JsonObject() : metrics.copy();
    assertions = List.copyOf(assertions);
  }

  public long durationMs() {
    return Math.max(0, endedAt - startedAt);
  }

  /** Whether it counts against the run: failed, or cut short by a stop or the guard. */
  public boolean failedOrCut() {
    return "failed".equals(status) || "stopped".equals(status) || "aborted".equals(status);
  }

  /** The JSON of the REST API and the stored reports (field order as it always was; {@code branch} only for conditional steps). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("name", name)
        .put("iteration", iteration)
        .put("status", status)
        .put("started_at", startedAt)
        .put("ended_at", endedAt)
        .put("duration_ms", durationMs())
        .put("metrics", metrics.copy())
        .put("assertions", AssertionResult.toJson(assertions))
        .put("error", error);
    if (branch != null) {
      json.put("branch", branch);
    }
    return json;
  }

  /** Reads what {@link #toJson} wrote; missing fields read as empty. */
  public static StepResult fromJson(JsonObject json) {
    long started = number(json.getValue("started_at"));
    long ended = json.getValue("ended_at") == null ? started + number(json.getValue("duration_ms")) : number(json.getValue("ended_at"));
    Object metrics = json.getValue("metrics");
    return new StepResult(text(json.getValue("name")), (int) number(json.getValue("iteration")), text(json.getValue("status")),
        started, ended, metrics instanceof JsonObject m ? m : new JsonObject(),
        AssertionResult.fromJson(json.getValue("assertions") instanceof JsonArray a ? a : null),
        json.getValue("error") == null ? null : String.valueOf(json.getValue("error")),
        json.getValue("branch") == null ? null : String.valueOf(json.getValue("branch")));
  }

  static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  static String text(Object value) {
    return value == null ? "" : String.valueOf(value);
  }
}
