package io.faultline.history.score;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resilience score of a run, 0..100, from what was measured during it and nothing else:
 *
 * <pre>
 * score = 100 · Σ wᵢ·cᵢ / Σ wᵢ   over the components that could be measured, rounded to 0.1
 *   steps      (w 0.3) = steps that succeeded / steps that ran (succeeded, failed, or cut short by a stop or abort)
 *   assertions (w 0.2) = assertions that held / assertions checked (step and global)
 *   errors     (w 0.3) = 1 − clamp(run error rate − baseline error rate, 0, 1)
 *   latency    (w 0.2) = min(1, (1.5 · baseline p95 + 10 ms) / run p95)
 * </pre>
 *
 * The baseline is the run's own calm: the node's traffic in the {@link #BASELINE_WINDOW_MS} before the
 * run started if it holds at least {@link #MIN_BASELINE_REQUESTS} requests, else the run's steps that
 * injected no fault (pooled, when they hold that many), else none: then errors count from 0 and the
 * latency component is left out. A component with nothing to measure (no assertion) is left out and the
 * weights of the others renormalised; the breakdown says which. A run that saw no requests has no score. The score is a pure
 * function of the report and the baseline: the same measurements always give the same score.
 */
public final class ResilienceScore {

  public static final long BASELINE_WINDOW_MS = 10_000;
  public static final int MIN_BASELINE_REQUESTS = 20;
  static final double W_STEPS = 0.3;
  static final double W_ASSERTIONS = 0.2;
  static final double W_ERRORS = 0.3;
  static final double W_LATENCY = 0.2;
  /** Latency within 1.5× the baseline's p95 plus this (loopback noise) costs nothing. */
  static final double LATENCY_SLACK_MS = 10;

  private ResilienceScore() {
  }

  /** The score and its breakdown for {@code report}; {@code preRun} is the window before the run (may be null). */
  public static JsonObject of(JsonObject report, JsonObject preRun) {
    return against(report, baseline(report, preRun));
  }

  /** The score and its breakdown for {@code report} against a {@code baseline} already chosen (as {@link #baseline} answers). */
  public static JsonObject against(JsonObject report, JsonObject baseline) {
    Map<String, JsonObject> parts = new LinkedHashMap<>();
    JsonArray steps = report.getJsonArray("steps", new JsonArray());
    int ran = 0;
    int succeeded = 0;
    int checked = 0;
    int held = 0;
    for (Object o : steps) {
      JsonObject step = (JsonObject) o;
      String status = step.getString("status", "");
      boolean measured = step.getJsonObject("metrics", new JsonObject()).containsKey("request_count");
      // a step a stop or an abort cut short ran and did not succeed, as its report's JUnit failure says
      boolean cut = status.equals("stopped") || status.equals("aborted");
      // a conditional step's own result says which branch ran and how it went: its steps are counted, each once (a
      // failing branch counted twice, a succeeding one once)
      boolean conditional = step.getValue("branch") != null;
      if (!conditional && (status.equals("failed") || cut || status.equals("succeeded") && measured)) {
        ran++;
        succeeded += status.equals("succeeded") ? 1 : 0;
      }
      for (Object a : step.getJsonArray("assertions", new JsonArray())) {
        checked++;
        held += ((JsonObject) a).getBoolean("passed", false) ? 1 : 0;
      }
    }
    for (Object a : report.getJsonArray("assertions", new JsonArray())) {
      checked++;
      held += ((JsonObject) a).getBoolean("passed", false) ? 1 : 0;
    }
    if (ran > 0) {
      parts.put("steps", part(W_STEPS, (double) succeeded / ran, succeeded + " of " + ran + " steps succeeded"));
    }
    if (checked > 0) {
      parts.put("assertions", part(W_ASSERTIONS, (double) held / checked, held + " of " + checked + " assertions held"));
    }
    JsonObject metrics = report.getJsonObject("metrics", new JsonObject());
    long requests = number(metrics, "request_count").longValue();
    if (requests > 0) {
      double errorRate = number(metrics, "error_rate").doubleValue();
      double baseErrors = baseline.getDouble("error_rate", 0.0);
      parts.put("errors", part(W_ERRORS, 1 - clamp(errorRate - baseErrors), String.format(java.util.Locale.ROOT,
          "error rate %.4f over %d requests against a baseline of %.4f", errorRate, requests, baseErrors)));
      double p95 = number(metrics, "p95_latency").doubleValue();
      if (baseline.containsKey("p95_latency") && p95 > 0) {
        double allowed = 1.5 * baseline.getDouble("p95_latency") + LATENCY_SLACK_MS;
        parts.put("latency", part(W_LATENCY, Math.min(1, allowed / p95), String.format(java.util.Locale.ROOT,
            "p95 %.1f ms against %.1f ms allowed (1.5 x baseline p95 %.1f ms + %.0f ms)", p95, allowed,
            baseline.getDouble("p95_latency"), LATENCY_SLACK_MS)));
      }
    }
    double weights = 0;
    double sum = 0;
    JsonObject components = new JsonObject();
    for (Map.Entry<String, JsonObject> e : parts.entrySet()) {
      weights += e.getValue().getDouble("weight");
      sum += e.getValue().getDouble("weight") * e.getValue().getDouble("value");
      components.put(e.getKey(), e.getValue());
    }
    // a run no request went through measured nothing of the service's resilience: its steps alone scored it
    // 100, above every run that saw the faults, and it passed min_score gates
    Double score = weights == 0 || requests == 0 ? null : Math.round(1000 * sum / weights) / 10.0;
    JsonObject out = new JsonObject().put("score", score).put("components", components).put("baseline", baseline)
        .put("formula", "100 * sum(weight * component) / sum(weight) over the measured components");
    if (requests == 0) {
      out.put("reason", "no score: the run saw no requests through the gateway");
    }
    return out;
  }

  /**
   * The calm the run is measured against: the pre-run window, else its fault-free steps, else none. Given a report of
   * several runs' steps together, their fault-free steps pooled.
   */
  public static JsonObject baseline(JsonObject report, JsonObject preRun) {
    // calm only if no fault was injected in it: the runs just before (an A/B test's samples back to back)
    // made an identical run's baseline its predecessors' chaos, and its score depend on what ran before
    if (preRun != null && number(preRun, "request_count").longValue() >= MIN_BASELINE_REQUESTS
        && number(preRun, "fault_count").longValue() == 0) {
      return new JsonObject().put("source", "pre_run_window").put("window_ms", BASELINE_WINDOW_MS)
          .put("request_count", number(preRun, "request_count").longValue())
          .put("error_rate", number(preRun, "error_rate").doubleValue())
          .put("p95_latency", number(preRun, "p95_latency").doubleValue());
    }
    long requests = 0;
    long errors = 0;
    double weightedP95 = 0;
    for (Object o : report.getJsonArray("steps", new JsonArray())) {
      JsonObject m = ((JsonObject) o).getJsonObject("metrics", new JsonObject());
      long n = number(m, "request_count").longValue();
      if (m.containsKey("fault_count") && number(m, "fault_count").longValue() == 0 && n > 0) {
        requests += n;
        errors += number(m, "error_count").longValue();
        // a mean of the steps' p95 weighted by their requests, not the p95 of their requests pooled: a report keeps each
        // step's percentiles, not its requests (the pooled p95 lies between the steps' own, as this does)
        weightedP95 += n * number(m, "p95_latency").doubleValue();
      }
    }
    if (requests >= MIN_BASELINE_REQUESTS) {
      return new JsonObject().put("source", "fault_free_steps").put("request_count", requests)
          .put("error_rate", (double) errors / requests).put("p95_latency", weightedP95 / requests);
    }
    return new JsonObject().put("source", "none").put("error_rate", 0.0);
  }

  private static JsonObject part(double weight, double value, String measured) {
    return new JsonObject().put("weight", weight).put("value", Math.round(value * 10_000) / 10_000.0).put("measured", measured);
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  static Number number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n : 0;
  }
}
