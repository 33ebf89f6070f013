package io.faultline.history.score;

import io.faultline.chaos.event.ChaosListener;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long the node's requests took, as counts in log-linear buckets: four buckets per power of two
 * of microseconds (each under 25% wide), from 0 µs to about 12 days. A request costs one atomic
 * increment of one slot (no allocation, no lock), so it can listen on the request path. A run's latency
 * distribution is the difference of two {@link #snapshot()}s, taken when it starts and when it ends;
 * {@link io.faultline.history.stats.RankTest} compares two of them.
 */
public final class LatencyHistogram implements ChaosListener {

  /** Number of buckets. */
  public static final int BUCKETS = 160;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    counts.incrementAndGet(bucket(durationNanos / 1_000));
  }

  /** The bucket of a duration in microseconds: itself below 4, else 4·(e − 1) + the next two bits, e = ⌊log2 µs⌋. */
  public static int bucket(long micros) {
    if (micros < 4) {
      return (int) Math.max(0, micros);
    }
    int e = 63 - Long.numberOfLeadingZeros(micros);
    int index = 4 * (e - 1) + (int) ((micros >> (e - 2)) & 3);
    return Math.min(BUCKETS - 1, index);
  }

  /** The smallest duration (µs) that falls in {@code bucket}. */
  public static long lowerMicros(int bucket) {
    if (bucket < 4) {
      return bucket;
    }
    int e = bucket / 4 + 1;
    return (4L + bucket % 4) << (e - 2);
  }

  /** The middle of {@code bucket}, in milliseconds: the value a bucket stands for in quantiles. */
  public static double midMillis(int bucket) {
    long low = lowerMicros(bucket);
    long high = bucket + 1 < BUCKETS ? lowerMicros(bucket + 1) : low * 2;
    return (low + high) / 2.0 / 1_000.0;
  }

  /** The counts now. */
  public long[] snapshot() {
    long[] out = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      out[i] = counts.get(i);
    }
    return out;
  }

  /** {@code later − earlier}, bucket by bucket: what happened between two snapshots. */
  public static long[] between(long[] earlier, long[] later) {
    long[] out = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      out[i] = Math.max(0, later[i] - (earlier == null ? 0 : earlier[i]));
    }
    return out;
  }

  /** The {@code q} quantile (0..1) of a histogram, as its bucket's middle in ms; NaN when empty. */
  public static double quantile(long[] histogram, double q) {
    long total = 0;
    for (long c : histogram) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < histogram.length; i++) {
      seen += histogram[i];
      if (seen >= rank) {
        return midMillis(i);
      }
    }
    return midMillis(histogram.length - 1);
  }
}
