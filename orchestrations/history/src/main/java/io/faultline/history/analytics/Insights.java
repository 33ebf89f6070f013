package io.faultline.history.analytics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * Reference 000's predictive insights, limited to what the samples can carry: a series whose slope
 * over the last 15 minutes is significant (its 95% interval excludes 0, at least 10 samples) gets a
 * projection 10 minutes ahead on that line, with the range its slope interval allows (the intercept's
 * own uncertainty is left out, so the range is a lower bound on the true one); every anomaly of the
 * last 5 minutes is repeated with what it measured. Each insight names the measurement that led to it.
 */
final class Insights {

  static final int MINUTES = 15;
  static final int HORIZON_MINUTES = 10;

  private Insights() {
  }

  static JsonArray of(LiveAnalytics analytics, List<JsonObject> anomalies) {
    JsonArray out = new JsonArray();
    for (String series : List.of("request_rate", "error_rate", "p95_latency", "fault_rate")) {
      JsonObject trend = analytics.trend(series, series, MINUTES);
      String direction = trend.getString("trend");
      JsonArray interval = trend.getJsonArray("interval_95");
      if (trend.getInteger("samples") < 10 || interval == null || !(direction.equals("increasing") || direction.equals("decreasing"))) {
        continue;
      }
      // from the fitted line at the last sample, not the sample itself: one burst or lull must not move the projection
      JsonArray line = trend.getJsonArray("fitted_line");
      double last = line.getJsonArray(1).getDouble(1);
      double slope = trend.getDouble("slope_per_minute");
      double low = clamp(series, last + interval.getDouble(0) * HORIZON_MINUTES);
      double high = clamp(series, last + interval.getDouble(1) * HORIZON_MINUTES);
      double predicted = clamp(series, last + slope * HORIZON_MINUTES);
      out.add(new JsonObject().put("metric", series).put("kind", "trend")
          .put("message", String.format(Locale.ROOT, "%s is %s by %.4g per minute (95%% interval %.4g to %.4g); on that line it "
              + "reaches %.4g in %d minutes", series, direction, slope, interval.getDouble(0), interval.getDouble(1), predicted,
              HORIZON_MINUTES))
          .put("predicted_value", predicted).put("predicted_range", new JsonArray().add(Math.min(low, high)).add(Math.max(low, high)))
          .put("time_horizon_minutes", HORIZON_MINUTES)
          .put("based_on", new JsonObject().put("method", trend.getString("method")).put("samples", trend.getInteger("samples"))
              .put("minutes", MINUTES).put("p_value", trend.getValue("p_value"))));
    }
    long since = System.currentTimeMillis() - 5 * 60_000L;
    for (JsonObject a : anomalies) {
      if (a.getLong("detected_at") >= since) {
        out.add(new JsonObject().put("metric", a.getString("metric")).put("kind", "anomaly")
            .put("message", a.getString("type") + ": " + a.getString("description"))
            .put("based_on", new JsonObject().put("method", "EWMA z-score").put("detected_at", a.getLong("detected_at"))
                .put("value", a.getValue("value")).put("expected", a.getValue("expected"))));
      }
    }
    return out;
  }

  private static double clamp(String series, double v) {
    double floor = Math.max(0, v);
    return series.equals("error_rate") ? Math.min(1, floor) : floor;
  }
}
