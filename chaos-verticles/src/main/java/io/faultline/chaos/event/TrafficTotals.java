package io.faultline.chaos.event;

import java.util.concurrent.atomic.LongAdder;

/**
 * The node's traffic counted since it started, looked at every second ({@link #tick}) and kept for
 * {@link #SECONDS} seconds, so that {@link TrafficRecorder} can count a window that reaches back past its rings
 * (their last 65,536 requests: a minute at 1,000 requests a second). A run or a step longer than that was measured
 * on its last 65,536 requests only: its request count stopped at 65,536, and the errors of its start were gone from
 * its error rate. Counts come whole to the second; latency percentiles from a histogram of {@link #BUCKETS}
 * logarithmic buckets (four to a doubling: within 10 %) kept every {@link #HISTOGRAM_EVERY} ticks.
 *
 * <p>Writers are the event loops (a few {@link LongAdder} increments per request, no lock); {@link #tick} runs on one
 * thread once a second and the lookups on another, both under this object's lock, never on the request path.
 */
final class TrafficTotals {

  /** How long the per-second totals reach back: three hours. */
  static final int SECONDS = 3 * 3_600;
  /** Ticks between two histogram snapshots (10 s). */
  static final int HISTOGRAM_EVERY = 10;
  static final int BUCKETS = 160;
  /** The six counts, in the order of {@link #counts}. */
  static final int REQUESTS = 0;
  static final int ERRORS = 1;
  static final int MICROS = 2;
  static final int FAULTS = 3;
  static final int FAULTED = 4;
  static final int FAULTED_UNFAILED = 5;
  private static final int COUNTS = 6;

  private final LongAdder[] running = new LongAdder[COUNTS];
  private final LongAdder[] latency = new LongAdder[BUCKETS];

  private final long[] at = new long[SECONDS];
  private final long[][] counts = new long[COUNTS][SECONDS];
  private long ticks;
  private static final int HISTOGRAMS = SECONDS / HISTOGRAM_EVERY;
  private final long[] histogramAt = new long[HISTOGRAMS];
  private final long[][] histograms = new long[HISTOGRAMS][];
  private long histogramTicks;

  TrafficTotals(long startMs) {
    for (int i = 0; i < COUNTS; i++) {
      running[i] = new LongAdder();
    }
    for (int i = 0; i < BUCKETS; i++) {
      latency[i] = new LongAdder();
    }
    tick(startMs); // nothing counted yet: a window from the start is counted whole
  }

  void request(long micros, boolean failed) {
    running[REQUESTS].increment();
    if (failed) {
      running[ERRORS].increment();
    }
    running[MICROS].add(micros);
    latency[bucket(micros)].increment();
  }

  void fault() {
    running[FAULTS].increment();
  }

  void faulted(boolean failed) {
    running[FAULTED].increment();
    if (!failed) {
      running[FAULTED_UNFAILED].increment();
    }
  }

  /** Takes the running totals down as they are at {@code nowMs} (once a second), and the histogram every tenth time. */
  synchronized void tick(long nowMs) {
    int i = (int) (ticks % SECONDS);
    at[i] = nowMs;
    for (int k = 0; k < COUNTS; k++) {
      counts[k][i] = running[k].sum();
    }
    if (ticks++ % HISTOGRAM_EVERY == 0) {
      int h = (int) (histogramTicks++ % HISTOGRAMS);
      long[] snapshot = histograms[h] == null ? new long[BUCKETS] : histograms[h];
      for (int b = 0; b < BUCKETS; b++) {
        snapshot[b] = latency[b].sum();
      }
      histogramAt[h] = nowMs;
      histograms[h] = snapshot;
    }
  }

  /**
   * The time of the first tick at or after {@code ms}, or {@link Long#MIN_VALUE} when there is none yet: the ring
   * that holds every request from {@code ms} on takes over there.
   */
  synchronized long tickAtOrAfter(long ms) {
    int n = (int) Math.min(ticks, SECONDS);
    int p = firstAfter(at, ticks, SECONDS, n, ms - 1);
    return p >= n ? Long.MIN_VALUE : at[index(ticks, SECONDS, n, p)];
  }

  /**
   * The counts of what ended between the first tick at or after {@code fromMs} (as far back as the ticks reach) and
   * the last at or before {@code toMs}, in the order of the constants above, after {@code [0]}: when the counting
   * starts. (The second before the first tick is left out rather than the step before's traffic taken in.)
   */
  synchronized long[] between(long fromMs, long toMs) {
    int n = (int) Math.min(ticks, SECONDS);
    int first = Math.min(n - 1, firstAfter(at, ticks, SECONDS, n, fromMs - 1));
    int last = Math.max(0, firstAfter(at, ticks, SECONDS, n, toMs) - 1);
    int a = index(ticks, SECONDS, n, first);
    int b = index(ticks, SECONDS, n, last);
    long[] out = new long[COUNTS + 1];
    out[0] = at[a];
    for (int k = 0; k < COUNTS; k++) {
      out[k + 1] = Math.max(0, counts[k][b] - counts[k][a]);
    }
    return out;
  }

  /** The latency histogram of what ended between the snapshots at or before {@code fromMs} and {@code toMs}. */
  synchronized long[] histogram(long fromMs, long toMs) {
    int n = (int) Math.min(histogramTicks, HISTOGRAMS);
    long[] out = new long[BUCKETS];
    if (n == 0) {
      return out;
    }
    long[] a = histograms[atOrBefore(fromMs, n)];
    long[] b = histograms[atOrBefore(toMs, n)];
    for (int i = 0; i < BUCKETS; i++) {
      out[i] = Math.max(0, b[i] - a[i]);
    }
    return out;
  }

  /** The index of the last of the {@code n} histograms kept taken at or before {@code ms} (the oldest when none was). */
  private int atOrBefore(long ms, int n) {
    return index(histogramTicks, HISTOGRAMS, n, Math.max(0, firstAfter(histogramAt, histogramTicks, HISTOGRAMS, n, ms) - 1));
  }

  /** The ring index of the {@code p}-th oldest of the {@code n} entries kept of {@code written}. */
  private static int index(long written, int size, int n, int p) {
    return (int) ((written - n + p) % size);
  }

  /** The position (0 = oldest) of the first entry whose time is after {@code ms}; {@code n} when none is. */
  private static int firstAfter(long[] times, long written, int size, int n, long ms) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[index(written, size, n, mid)] <= ms) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The bucket of a latency: exact below 4 µs, then four to a doubling. */
  static int bucket(long micros) {
    if (micros < 4) {
      return (int) Math.max(0, micros);
    }
    int octave = 63 - Long.numberOfLeadingZeros(micros); // >= 2
    int sub = (int) (micros >> (octave - 2)) & 3;
    return Math.min(BUCKETS - 1, 4 + (octave - 2) * 4 + sub);
  }

  /** The middle of bucket {@code b}, in µs. */
  static double middle(int b) {
    if (b < 4) {
      return b;
    }
    int octave = (b - 4) / 4 + 2;
    int sub = (b - 4) % 4;
    double low = (double) (4 + sub) * (1L << (octave - 2));
    return low + (1L << (octave - 2)) / 2.0;
  }
}
