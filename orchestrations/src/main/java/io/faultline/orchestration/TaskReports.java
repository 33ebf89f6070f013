package io.faultline.orchestration;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a distributed task's item keeps of its run's report: the outcome and each step's, bounded (the
 * item lives in the cluster's task map, and a looping run can have thousands of steps). The whole report
 * is served by the report endpoints under {@code href}.
 */
final class TaskReports {

  /** Steps and errors an item keeps; the report has them all. */
  static final int KEPT_STEPS = 20;
  static final int KEPT_ERRORS = 5;

  private TaskReports() {
  }

  /** {@code {id, name, status, duration_ms, iterations, steps: [{name, iteration, status, error}], steps_total, errors, href}}. */
  static JsonObject summary(JsonObject report) {
    JsonArray all = report.getJsonArray("steps", new JsonArray());
    JsonArray steps = new JsonArray();
    for (int i = 0; i < Math.min(KEPT_STEPS, all.size()); i++) {
      JsonObject step = all.getJsonObject(i);
      steps.add(new JsonObject().put("name", step.getString("name")).put("iteration", step.getValue("iteration"))
          .put("status", step.getString("status")).put("error", step.getString("error")));
    }
    JsonArray errors = new JsonArray();
    report.getJsonArray("errors", new JsonArray()).stream().limit(KEPT_ERRORS).forEach(errors::add);
    return new JsonObject()
        .put("id", report.getString("id"))
        .put("name", report.getString("name"))
        .put("status", report.getString("status"))
        .put("duration_ms", report.getValue("duration_ms"))
        .put("iterations", report.getValue("iterations"))
        .put("steps", steps)
        .put("steps_total", all.size() + report.getInteger("steps_omitted", 0))
        .put("errors", errors)
        .put("href", "/api/chaos/orchestration/reports/" + report.getString("id"));
  }
}
