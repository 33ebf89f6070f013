package io.faultline.history.analytics;

import io.faultline.orchestration.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The node's health, 0..100, from its last {@link #WINDOW_MS} of traffic:
 *
 * <pre>
 * health = 100 · (0.6 · availability + 0.4 · latency)
 *   availability = 1 − error rate of the last minute
 *   latency      = min(1, (1.5 · usual p95 + 10 ms) / p95 of the last minute)
 *   usual p95    = the anomaly detector's baseline of p95 (its EWMA mean, anomalous samples kept out)
 * </pre>
 *
 * With no traffic in the last minute there is nothing to measure: the score is null (NaN on
 * {@code /metrics}), never a made-up 100. Each factor says how many points it cost.
 */
final class Health {

  static final long WINDOW_MS = 60_000;

  private final Vertx vertx;
  private volatile double latest = Double.NaN;

  Health(Vertx vertx) {
    this.vertx = vertx;
  }

  double latest() {
    return latest;
  }

  void refresh(double usualP95) {
    now(usualP95).onSuccess(h -> latest = h.getValue("score") instanceof Number n ? n.doubleValue() : Double.NaN);
  }

  Future<JsonObject> now(double usual) {
    long now = System.currentTimeMillis();
    return vertx.eventBus().<JsonObject>request(Metrics.WINDOW_ADDRESS, new JsonObject().put("from", now - WINDOW_MS).put("to", now))
        .map(reply -> score(reply.body(), usual));
  }

  static JsonObject score(JsonObject window, double usualP95) {
    long requests = window.getLong("request_count", 0L);
    JsonObject measured = new JsonObject().put("window_ms", WINDOW_MS).put("request_count", requests)
        .put("error_rate", window.getDouble("error_rate", 0.0)).put("p95_latency", window.getDouble("p95_latency", 0.0))
        .put("usual_p95_latency", LiveAnalytics.finite(usualP95));
    if (requests == 0) {
      return new JsonObject().put("score", (Double) null).put("reason", "no traffic in the last minute: nothing to measure")
          .put("measured", measured);
    }
    double availability = 1 - window.getDouble("error_rate", 0.0);
    double p95 = window.getDouble("p95_latency", 0.0);
    Double latency = Double.isNaN(usualP95) || p95 <= 0 ? null : Math.min(1, (1.5 * usualP95 + 10) / p95);
    double score = latency == null ? 100 * availability : 100 * (0.6 * availability + 0.4 * latency);
    JsonArray factors = new JsonArray()
        .add(new JsonObject().put("name", "errors").put("impact", (latency == null ? 100 : 60) * (1 - availability))
            .put("measured", String.format(Locale.ROOT, "error rate %.4f over %d requests", 1 - availability, requests)));
    if (latency != null) {
      factors.add(new JsonObject().put("name", "latency").put("impact", 40 * (1 - latency))
          .put("measured", String.format(Locale.ROOT, "p95 %.1f ms against a usual %.1f ms", p95, usualP95)));
    }
    return new JsonObject().put("score", Math.round(score * 10) / 10.0)
        .put("components", new JsonObject().put("availability", availability).put("latency", latency))
        .put("factors", factors).put("measured", measured)
        .put("formula", latency == null ? "100 * availability (no usual latency yet)" : "100 * (0.6 * availability + 0.4 * latency)");
  }
}
