package io.faultline.chaos.event;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The last {@link #CAPACITY} requests of the node (when each ended, how long it took, whether it
 * failed) and the faults injected, so an orchestration can measure what real traffic saw during a step:
 * request count, error rate, faults, average and p50/p95/p99 latency over any recent window. Writers are
 * the event loops (one atomic increment and three array stores per request); readers copy a window.
 */
public final class TrafficRecorder implements ChaosListener {

  static final int CAPACITY = 1 << 16;
  private static final int MASK = CAPACITY - 1;

  private final LongSupplier clockMs;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final long[] endedAt = new long[CAPACITY];
  private final long[] durationMicros = new long[CAPACITY];
  private final boolean[] failed = new boolean[CAPACITY];
  private final long[] faultAt = new long[CAPACITY];
  private final AtomicLong faultedExchanges = new AtomicLong();
  private final long[] faultedEndedAt = new long[CAPACITY];
  private final long[] faultedMicros = new long[CAPACITY];
  private final boolean[] faultedFailed = new boolean[CAPACITY];

  public TrafficRecorder(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    int i = (int) (requests.getAndIncrement() & MASK);
    durationMicros[i] = durationNanos / 1_000;
    failed[i] = failure(outcome);
    endedAt[i] = clockMs.getAsLong();
  }

  /**
   * An exchange ended: those a fault touched are kept apart, so that a window can say how many requests
   * faults touched, each once, however many faults it met (a WebSocket connection meets one per message).
   */
  @Override
  public void exchangeCompleted(ExchangeRecord record) {
    if (!record.faulted()) {
      return; // an untouched one the flight recorder samples: counted by requestCompleted already
    }
    int i = (int) (faultedExchanges.getAndIncrement() & MASK);
    faultedMicros[i] = record.durationNanos() / 1_000;
    faultedFailed[i] = failure(record.outcome());
    faultedEndedAt[i] = clockMs.getAsLong();
  }

  private static boolean failure(String outcome) {
    return outcome.equals("5xx") || outcome.equals("dropped");
  }

  private static boolean inWindow(long endedAtMs, long micros, long fromMs, long toMs, long startedAfterMs) {
    return endedAtMs >= fromMs && endedAtMs <= toMs && (startedAfterMs == Long.MIN_VALUE || endedAtMs - (micros + 999) / 1_000 >= startedAfterMs);
  }

  @Override
  public void faultInjected(String listener, String protocol, String route, String type) {
    faultAt[(int) (faults.getAndIncrement() & MASK)] = clockMs.getAsLong();
  }

  /**
   * What requests that ended in {@code [fromMs, toMs]} saw: {@code request_count}, {@code error_count},
   * {@code error_rate} (5xx and dropped connections over all), {@code fault_count} (faults injected),
   * {@code faulted_count} (requests a fault touched), {@code affected_count} (requests a fault touched or
   * that failed, each once), {@code avg_latency}, {@code p50_latency}, {@code p95_latency},
   * {@code p99_latency} (milliseconds).
   */
  public JsonObject window(long fromMs, long toMs) {
    return window(fromMs, toMs, Long.MIN_VALUE);
  }

  /**
   * As {@link #window(long, long)}, counting only the requests that also started at or after
   * {@code startedAfterMs} (and the faults injected from then): a step that changed the chaos at
   * {@code startedAfterMs} is judged on the requests its own config decided, not on those the step
   * before still held (a 1 s delay ending in a 250 ms step made its p95 a second).
   */
  public JsonObject window(long fromMs, long toMs, long startedAfterMs) {
    long total = Math.min(requests.get(), CAPACITY);
    long[] durations = new long[(int) total];
    int n = 0;
    int errors = 0;
    double sum = 0;
    for (int i = 0; i < total; i++) {
      if (inWindow(endedAt[i], durationMicros[i], fromMs, toMs, startedAfterMs)) {
        durations[n++] = durationMicros[i];
        errors += failed[i] ? 1 : 0;
        sum += durationMicros[i];
      }
    }
    long faultTotal = Math.min(faults.get(), CAPACITY);
    int faultCount = 0;
    for (int i = 0; i < faultTotal; i++) {
      faultCount += faultAt[i] >= Math.max(fromMs, startedAfterMs) && faultAt[i] <= toMs ? 1 : 0;
    }
    long faultedTotal = Math.min(faultedExchanges.get(), CAPACITY);
    int faulted = 0;
    int faultedUnfailed = 0;
    for (int i = 0; i < faultedTotal; i++) {
      if (inWindow(faultedEndedAt[i], faultedMicros[i], fromMs, toMs, startedAfterMs)) {
        faulted++;
        faultedUnfailed += faultedFailed[i] ? 0 : 1;
      }
    }
    // p99 first: every value left of it is no greater, so p95 and then p50 are selected within what is left of the one before
    int p99 = select(durations, n, rank(n, 0.99));
    int p95 = select(durations, p99 + 1, rank(n, 0.95));
    int p50 = select(durations, p95 + 1, rank(n, 0.50));
    return new JsonObject()
        .put("request_count", n)
        .put("error_count", errors)
        .put("error_rate", n == 0 ? 0.0 : (double) errors / n)
        .put("fault_count", faultCount)
        .put("faulted_count", Math.min(faulted, n))
        .put("affected_count", Math.min(errors + faultedUnfailed, n))
        .put("avg_latency", n == 0 ? 0.0 : sum / n / 1_000.0)
        .put("p50_latency", millis(durations, n, p50))
        .put("p95_latency", millis(durations, n, p95))
        .put("p99_latency", millis(durations, n, p99));
  }

  /** The nearest rank of quantile {@code q} among {@code n} values, as a 0-based index (0 when there are none). */
  private static int rank(int n, double q) {
    return Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1));
  }

  private static double millis(long[] values, int n, int index) {
    return n == 0 ? 0.0 : values[index] / 1_000.0;
  }

  /**
   * Moves the value of sorted rank {@code k} among {@code values[0, n)} to index {@code k}, with no greater value
   * before it and no smaller one after it, and answers {@code k} (Hoare's selection, median-of-three pivots).
   * The analytics ask for a window every second, up to {@link #CAPACITY} values: sorting them all took
   * milliseconds of an event loop's time; selecting three ranks takes a few passes over them.
   */
  static int select(long[] values, int n, int k) {
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (values[mid] < values[lo]) {
        swap(values, mid, lo);
      }
      if (values[hi] < values[lo]) {
        swap(values, hi, lo);
      }
      if (values[hi] < values[mid]) {
        swap(values, hi, mid);
      }
      long pivot = values[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (values[i] < pivot) {
          i++;
        }
        while (values[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(values, i++, j--);
        }
      }
      // [lo, j] <= pivot <= [i, hi], and whatever lies between equals the pivot
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return k;
      }
    }
    return k;
  }

  private static void swap(long[] values, int a, int b) {
    long t = values[a];
    values[a] = values[b];
    values[b] = t;
  }
}
