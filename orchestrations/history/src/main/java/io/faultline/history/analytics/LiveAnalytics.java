package io.faultline.history.analytics;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.history.AnalyticsConfig;
import io.faultline.history.Params;
import io.faultline.history.stats.Regression;
import io.faultline.orchestration.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reference 000's analytics over the node's live traffic. Every {@code interval_ms} it samples what the
 * node's requests saw in that interval ({@code faultline.metrics.window}): request and fault rates, error
 * rate, average and p95 latency. The last hour of samples feeds the anomaly detector, the trends
 * ({@link #trends}), the health score ({@link Health}) and the insights ({@link Insights}). All in memory,
 * per node: it describes this node's traffic now, not history.
 */
public final class LiveAnalytics {

  /** An hour of samples is kept, whatever {@code interval_ms}: 3,600 at its default of 1 s, 36,000 at 100 ms. */
  static final long KEPT_MS = 3_600_000;
  static final int KEPT_ANOMALIES = 1_000;
  /** The series trends accept, with reference 000's {@code total_events} as another name for the fault rate. */
  static final Map<String, String> SERIES = Map.of("request_rate", "request_rate", "error_rate", "error_rate",
      "p95_latency", "p95_latency", "avg_latency", "avg_latency", "fault_rate", "fault_rate", "total_events", "fault_rate",
      "fault_share", "fault_share");

  private final Vertx vertx;
  private final AnalyticsConfig config;
  private final AnomalyDetector detector;
  private final Deque<JsonObject> samples = new ArrayDeque<>();
  private final Deque<JsonObject> anomalies = new ArrayDeque<>();
  private final Map<String, LongAdder> counts = new LinkedHashMap<>();
  private final Health health;
  private long timer = -1;
  private final int keptSamples;

  public LiveAnalytics(Vertx vertx, AnalyticsConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.detector = new AnomalyDetector(config.ewmaAlpha(), config.zThreshold(), config.warmupSamples());
    AnomalyDetector.types().forEach(t -> counts.put(t, new LongAdder()));
    this.health = new Health(vertx);
    this.keptSamples = (int) Math.max(1, (KEPT_MS + config.intervalMs() - 1) / config.intervalMs());
  }

  public void start() {
    if (config.enabled()) {
      timer = vertx.setPeriodic(config.intervalMs(), id -> sample());
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** When the newest sample folded in was taken. */
  private long newestSampled = Long.MIN_VALUE;

  private void sample() {
    long now = System.currentTimeMillis();
    long from = now - config.intervalMs();
    vertx.eventBus().<JsonObject>request(Metrics.WINDOW_ADDRESS, new JsonObject().put("from", from + 1).put("to", now))
        .onSuccess(reply -> {
          if (now <= newestSampled) {
            // a window answered after a later one (each is read on a worker): folded in, it went in out of time order, and an
            // anomaly it raised was stamped before those already listed, where the console's since= never looks
            return;
          }
          newestSampled = now;
          JsonObject w = reply.body();
          double seconds = config.intervalMs() / 1000.0;
          JsonObject sample = new JsonObject().put("at", now).put("request_count", w.getLong("request_count", 0L))
              .put("request_rate", w.getLong("request_count", 0L) / seconds).put("error_rate", w.getDouble("error_rate", 0.0))
              .put("fault_rate", w.getLong("fault_count", 0L) / seconds)
              .put("fault_share", w.getLong("request_count", 0L) == 0 ? 0.0 : (double) w.getLong("faulted_count", 0L) / w.getLong("request_count", 0L))
              .put("avg_latency", w.getDouble("avg_latency", 0.0))
              .put("p95_latency", w.getDouble("p95_latency", 0.0));
          observe(sample);
          health.refresh(detector.baseline("p95_latency"));
        });
  }

  /** Folds one sample in (the sampler calls it; tests call it with made-up samples too). */
  void observe(JsonObject sample) {
    samples.addLast(sample);
    // kept by count, an hour's at the interval: a fixed 3,600 covered 6 minutes at 100 ms, where trends?minutes=60 said 60
    while (samples.size() > keptSamples) {
      samples.removeFirst();
    }
    for (JsonObject anomaly : detector.observe(sample)) {
      counts.get(anomaly.getString("type")).increment();
      anomalies.addFirst(anomaly);
      while (anomalies.size() > KEPT_ANOMALIES) {
        anomalies.removeLast();
      }
    }
  }

  /** {@code GET /api/analytics/anomalies?since=}: newest first. */
  public Future<JsonObject> anomalies(JsonObject q) {
    Long since = Params.time(q, "since");
    JsonArray out = new JsonArray();
    anomalies.stream().filter(a -> since == null || a.getLong("detected_at") >= since).forEach(out::add);
    return Future.succeededFuture(new JsonObject().put("anomalies", out).put("method", method()));
  }

  /** {@code GET /api/analytics/trends/{metric}?minutes=15}. */
  public Future<JsonObject> trends(JsonObject q) {
    String metric = Params.required(q, "metric", 64);
    String series = SERIES.get(metric);
    if (series == null) {
      throw new ChaosConfigException("metric", "must be one of " + new java.util.TreeSet<>(SERIES.keySet()) + ", got " + metric);
    }
    int minutes = Params.integer(q, "minutes", 15, 1, 60);
    return Future.succeededFuture(trend(metric, series, minutes));
  }

  /**
   * The series measured per request: a sample with no request has none (its 0 ms latency and 0 error rate are no
   * measurement), so it is left out of their trends. A quiet minute after steady traffic read as latency falling
   * toward 0, and a fitted line that ended below 0 ms.
   */
  static final java.util.Set<String> PER_REQUEST = java.util.Set.of("error_rate", "p95_latency", "avg_latency", "fault_share");

  JsonObject trend(String metric, String series, int minutes) {
    List<JsonObject> recent = recent(minutes).stream()
        .filter(s -> !PER_REQUEST.contains(series) || s.getLong("request_count", 0L) > 0).toList();
    double[] x = new double[recent.size()];
    double[] y = new double[recent.size()];
    double sum = 0;
    for (int i = 0; i < recent.size(); i++) {
      x[i] = (recent.get(i).getLong("at") - recent.get(0).getLong("at")) / 60_000.0;
      y[i] = recent.get(i).getDouble(series);
      sum += y[i];
    }
    double mean = recent.isEmpty() ? Double.NaN : sum / recent.size();
    Regression fit = Regression.fit(x, y, 0.05);
    String direction = fit.direction();
    if (direction.equals("no_significant_change")) {
      // no trend the data can carry: volatile when the series swings widely around its mean, else stable
      double sd = 0;
      for (double v : y) {
        sd += (v - mean) * (v - mean);
      }
      sd = Math.sqrt(sd / Math.max(1, y.length - 1));
      direction = mean != 0 && sd / Math.abs(mean) > 0.5 ? "volatile" : "stable";
    }
    // none from two points, as the history's trend: the line through both is no estimate (it showed +17,000 ms a minute
    // beside insufficient_data)
    double slope = fit.shownSlope();
    return new JsonObject().put("metric", metric).put("series", series).put("minutes", minutes).put("samples", recent.size())
        .put("trend", direction).put("mean", finite(mean)).put("slope_per_minute", finite(slope))
        .put("interval_95", Double.isNaN(fit.low()) ? null : new JsonArray().add(fit.low()).add(fit.high()))
        .put("p_value", finite(fit.pValue()))
        .put("rate_of_change", mean != 0 && Double.isFinite(slope) ? slope * x[x.length - 1] / Math.abs(mean) : null)
        .put("method", "least-squares slope on minutes, 95% interval from Student's t; increasing/decreasing when the interval "
            + "excludes 0, else volatile when sd/mean > 0.5, else stable"
            + (PER_REQUEST.contains(series) ? "; seconds without requests left out" : ""))
        .put("fitted_line", !Double.isFinite(slope) ? null : new JsonArray()
            .add(new JsonArray().add(recent.get(0).getLong("at")).add(fit.intercept()))
            .add(new JsonArray().add(recent.get(x.length - 1).getLong("at")).add(fit.intercept() + slope * x[x.length - 1])))
        .put("points", new JsonArray(recent.stream().map(s -> (Object) new JsonArray().add(s.getLong("at")).add(s.getDouble(series))).toList()));
  }

  /** {@code GET /api/analytics/health}. */
  public Future<JsonObject> health(JsonObject q) {
    return health.now(detector.baseline("p95_latency"));
  }

  /** {@code GET /api/analytics/insights}. */
  public Future<JsonObject> insights(JsonObject q) {
    return Future.succeededFuture(new JsonObject().put("insights", Insights.of(this, new ArrayList<>(anomalies))));
  }

  List<JsonObject> recent(int minutes) {
    long since = System.currentTimeMillis() - minutes * 60_000L;
    return samples.stream().filter(s -> s.getLong("at") >= since).toList();
  }

  /** Anomalies flagged since start, by type (for {@code faultline_anomalies_total{type}}). */
  public Map<String, LongAdder> anomalyCounts() {
    return counts;
  }

  /** The latest health score, 0..100, or NaN when the last minute had no traffic. */
  public double healthScore() {
    return health.latest();
  }

  private JsonObject method() {
    return new JsonObject().put("interval_ms", config.intervalMs()).put("ewma_alpha", config.ewmaAlpha())
        .put("z_threshold", config.zThreshold()).put("warmup_samples", config.warmupSamples());
  }

  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
