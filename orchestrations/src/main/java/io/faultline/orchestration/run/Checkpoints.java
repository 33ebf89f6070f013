package io.faultline.orchestration.run;

import io.faultline.orchestration.report.StepResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;

/**
 * Where a run is, for another node to resume it (in a cluster the leader stores one after every step):
 * {@code run_id}, {@code started_at}, {@code iteration}, {@code next_step}, {@code before} (the config to
 * restore), {@code run_variables}, {@code results}, {@code custom_metrics}, {@code errors}, {@code log}, and
 * {@code last_metrics} (what the last measured step saw, which a {@code metric_threshold} condition reads: without it
 * a resumed run's next condition read nothing and took its else branch).
 * The orchestrator adds the text and variable overrides the run was started with.
 */
final class Checkpoints {

  /** Where in the orchestration a run is, and what it restores at its end. */
  record Position(long startedAt, int iteration, int nextStep, JsonObject before) {
  }

  private Checkpoints() {
  }

  static JsonObject write(String runId, Position at, RunState state, Results results) {
    JsonArray kept = new JsonArray();
    results.kept().forEach(r -> kept.add(r.toJson()));
    return new JsonObject()
        .put("run_id", runId)
        .put("started_at", at.startedAt())
        .put("iteration", at.iteration())
        .put("next_step", at.nextStep())
        .put("before", at.before())
        .put("run_variables", state.variablesJson())
        .put("results", kept)
        .put("custom_metrics", new JsonObject(new LinkedHashMap<>(state.customMetrics)))
        .put("errors", new JsonArray(state.errors.kept()))
        .put("log", new JsonArray(state.log.kept()))
        .put("last_metrics", state.lastMetrics.copy());
  }

  /** Takes what {@code checkpoint} holds into {@code state} and {@code results}; answers where the run goes on. */
  static Position read(JsonObject checkpoint, RunState state, Results results, long nowMs) {
    Position at = new Position(checkpoint.getLong("started_at"), checkpoint.getInteger("iteration"),
        checkpoint.getInteger("next_step"), checkpoint.getJsonObject("before"));
    state.variables.putAll(checkpoint.getJsonObject("run_variables").getMap());
    JsonObject lastMetrics = checkpoint.getJsonObject("last_metrics"); // absent from a checkpoint an older version wrote
    if (lastMetrics != null) {
      state.lastMetrics = lastMetrics.copy();
    }
    checkpoint.getJsonArray("results").forEach(r -> {
      StepResult result = StepResult.fromJson((JsonObject) r);
      results.add(result, result.branch() == null && !"skipped".equals(result.status()));
    });
    checkpoint.getJsonObject("custom_metrics").forEach(e -> state.customMetrics.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
    state.errors.restore(checkpoint.getJsonArray("errors").stream().map(String::valueOf).toList());
    state.log.restore(checkpoint.getJsonArray("log").stream().map(String::valueOf).toList());
    state.log.add(Instant.ofEpochMilli(nowMs) + " resumed on another node at iteration " + at.iteration() + ", step " + (at.nextStep() + 1));
    return at;
  }
}
