package io.faultline.gateway.metrics;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;

/**
 * Percentiles of the observations a Prometheus histogram received between two of its snapshots: the
 * difference of the cumulative bucket counts is the interval's own histogram, and a percentile is
 * interpolated linearly inside the bucket it falls in (so it is as exact as the buckets are narrow:
 * Micrometer's percentile buckets are about 10-30 % wide).
 */
final class BucketPercentiles {

  /** Upper bounds in milliseconds, ascending. */
  private final double[] boundsMs;
  /** Observations per bucket (not cumulative) added up over every histogram given. */
  private final double[] counts;
  /**
   * Observations above the last bound (a request slower than 60 s): a Prometheus histogram's snapshot has no +Inf bucket,
   * so they are its count less its buckets'. Left out, a second of such requests had no percentiles at all (null, as if no
   * request had ended), and 1 % of them did not show in p99.
   */
  private double above;

  BucketPercentiles(CountAtBucket[] layout) {
    boundsMs = new double[layout.length];
    for (int i = 0; i < layout.length; i++) {
      boundsMs[i] = layout[i].bucket(TimeUnit.MILLISECONDS);
    }
    counts = new double[layout.length];
  }

  /**
   * Adds what one histogram observed between {@code before} (null: since it was created) and
   * {@code now}, both cumulative as Prometheus histograms are (each bucket counts every observation up
   * to its bound, since the start), {@code observed} being how many observations it had in all meanwhile. A histogram
   * with another bucket layout is skipped.
   */
  void add(CountAtBucket[] before, CountAtBucket[] now, double observed) {
    if (now.length != counts.length || before != null && before.length != now.length) {
      return;
    }
    double below = 0;
    for (int i = 0; i < now.length; i++) {
      double upTo = now[i].count() - (before == null ? 0 : before[i].count());
      counts[i] += Math.max(0, upTo - below);
      below = Math.max(below, upTo);
    }
    if (observed > below) {
      above += observed - below;
    }
  }

  /** The total number of observations added. */
  double count() {
    double total = above;
    for (double c : counts) {
      total += c;
    }
    return total;
  }

  /**
   * The {@code q} percentile (0..1) in milliseconds, or null with no observations; one among the observations above the last
   * bound is that bound (at least so much).
   */
  Double percentileMs(double q) {
    double total = count();
    if (total == 0) {
      return null;
    }
    double rank = q * total;
    double seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && seen + counts[i] >= rank) {
        double lower = i == 0 ? 0 : boundsMs[i - 1];
        double share = (rank - seen) / counts[i];
        return lower + (boundsMs[i] - lower) * Math.max(0, Math.min(1, share));
      }
      seen += counts[i];
    }
    return boundsMs[boundsMs.length - 1];
  }
}
