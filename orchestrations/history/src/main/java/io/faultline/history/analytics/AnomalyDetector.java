package io.faultline.history.analytics;

import io.faultline.history.stats.Ewma;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Flags samples of the node's traffic that stand out from its recent past. Each series has an EWMA mean
 * and standard deviation ({@link Ewma}); a sample is anomalous when its z-score passes the threshold
 * <em>and</em> it clears a floor that keeps noise from counting:
 *
 * <pre>
 * type              series            direction  floor (besides |z| ≥ threshold, sd ≥ its minimum)
 * high_error_rate   error_rate        up         ≥ 10 requests in the sample, ≥ mean + 0.05
 * latency_anomaly   p95_latency (ms)  up         ≥ 5 requests, ≥ 2 × mean and ≥ mean + 50 ms; sd ≥ max(5 ms, 10% of mean)
 * event_spike       fault_share       up         ≥ 10 requests, ≥ 2 × mean and ≥ mean + 0.1; sd ≥ max(0.02, 10% of mean)
 * unexpected_quiet  request_rate (/s) down       mean ≥ 5/s and ≤ mean / 2; sd ≥ max(1/s, 10% of mean)
 * </pre>
 *
 * The fault share is faults per request: chaos events rising faster than the traffic that carries them
 * (a burst of traffic with the same share of faults is not a chaos event spike). Nothing is flagged until {@code warmup} samples have set the baseline. An anomalous sample is kept out
 * of its series' baseline (so a sustained spike stays visible); one anomaly is counted per episode, from
 * the first anomalous sample until the series is back within half its bounds. After {@link #REBASE_AFTER}
 * anomalous samples in a row the new level becomes the baseline. Resource exhaustion and cascading
 * failures (reference 000) are not detected: nothing here measures them.
 */
public final class AnomalyDetector {

  static final int REBASE_AFTER = 60;

  private final double threshold;
  private final int warmup;
  private final List<Series> series = new ArrayList<>();

  private final class Series {
    final String type;
    final String metric;
    final Ewma ewma;
    int streak;

    Series(String type, String metric, double alpha) {
      this.type = type;
      this.metric = metric;
      this.ewma = new Ewma(alpha);
    }
  }

  public AnomalyDetector(double alpha, double threshold, int warmup) {
    this.threshold = threshold;
    this.warmup = warmup;
    series.add(new Series("high_error_rate", "error_rate", alpha));
    series.add(new Series("latency_anomaly", "p95_latency", alpha));
    series.add(new Series("event_spike", "fault_share", alpha));
    series.add(new Series("unexpected_quiet", "request_rate", alpha));
  }

  /** Folds one sample in; answers the anomalies that start with it (a continuing episode is not repeated). */
  public List<JsonObject> observe(JsonObject sample) {
    List<JsonObject> started = new ArrayList<>();
    long requests = sample.getLong("request_count", 0L);
    for (Series s : series) {
      double x = sample.getDouble(s.metric, 0.0);
      double mean = s.ewma.mean();
      double floor = switch (s.metric) {
        case "error_rate" -> 0.02;
        case "fault_share" -> Math.max(0.02, 0.1 * mean);
        case "p95_latency" -> Math.max(5, 0.1 * mean);
        default -> Math.max(1, 0.1 * mean);
      };
      double z = s.ewma.z(x, floor);
      int needed = switch (s.metric) {
        case "error_rate", "fault_share" -> 10;
        case "p95_latency" -> 5;
        default -> 0;
      };
      if (requests < needed) {
        continue; // too few requests to say anything: neither flagged nor folded into the baseline
      }
      // an episode starts beyond the full bounds and lasts until the series is back within half of them: a
      // sample that only just missed the bounds (55 ms against 56.3 needed, a dip in a sample's errors) ended
      // the episode and went into the baseline, which took the fault's level in five samples (the health score
      // back at 100 ten seconds into a steady fault) and one steady fault was counted as seven anomalies
      boolean anomalous = s.ewma.samples() >= warmup && beyond(s.metric, x, mean, z, s.streak == 0 ? 1 : 0.5);
      if (!anomalous) {
        s.streak = 0;
        s.ewma.add(x);
        continue;
      }
      if (s.streak++ == 0) {
        started.add(new JsonObject().put("type", s.type).put("metric", s.metric).put("detected_at", sample.getLong("at"))
            .put("value", x).put("expected", mean).put("sd", s.ewma.sd()).put("z", z)
            .put("severity", Math.min(1.0, Math.abs(z) / (3 * threshold)))
            .put("description", String.format(Locale.ROOT, "%s %.4g against an expected %.4g (z = %.1f, threshold %.1f)",
                s.metric, x, mean, z, threshold))
            .put("based_on", new JsonObject().put("method", "EWMA mean and sd, z-score").put("sample", sample.copy())));
      }
      if (s.streak >= REBASE_AFTER) {
        s.ewma.add(x);
      }
    }
    return started;
  }

  /** True when {@code x} is beyond the bounds of {@code metric}'s baseline, those bounds taken at {@code scale} (1: in full). */
  private boolean beyond(String metric, double x, double mean, double z, double scale) {
    return switch (metric) {
      case "error_rate" -> z >= threshold * scale && x >= mean + 0.05 * scale;
      case "p95_latency" -> z >= threshold * scale && x >= (1 + scale) * mean && x >= mean + 50 * scale;
      case "fault_share" -> z >= threshold * scale && x >= (1 + scale) * mean && x >= mean + 0.1 * scale;
      default -> z <= -threshold * scale && mean >= 5 && x <= mean * (1 - scale / 2);
    };
  }

  /** The baseline (EWMA mean) of {@code metric} once warmed up, anomalous samples kept out; NaN before. */
  public double baseline(String metric) {
    for (Series s : series) {
      if (s.metric.equals(metric)) {
        return s.ewma.samples() >= warmup ? s.ewma.mean() : Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** The types it can flag. */
  public static List<String> types() {
    return List.of("high_error_rate", "latency_anomaly", "event_spike", "unexpected_quiet");
  }
}
