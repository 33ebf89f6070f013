package io.faultline.chaos.event;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The last {@link #CAPACITY} requests of the node (when each ended, how long it took, whether it
 * failed) and the faults injected, so an orchestration can measure what real traffic saw during a step:
 * request count, error rate, faults, average and p50/p95/p99 latency over any recent window. Writers are
 * the event loops (one atomic increment and three array stores per request, and the running totals);
 * readers copy a window. A window that reaches back past what the rings hold is counted from the running
 * totals ({@link TrafficTotals}, ticked once a second by {@link #tick}) for its older part: its counts whole
 * to the second, its percentiles then from a histogram (within 10 %).
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

  private final TrafficTotals totals;
  /**
   * Where a window gathers its durations: one ring's worth, 512 KiB, which G1 takes as a humongous object (half a
   * region or more) and puts straight in the old generation. Made anew for every window, the analytics' two windows
   * a second filled the old generation with them and started a concurrent cycle, and its pauses, about once a
   * minute under load: it is made once and lent to one window at a time (a window read while another holds it makes
   * its own).
   */
  private final AtomicReference<long[]> scratch = new AtomicReference<>();

  public TrafficRecorder(LongSupplier clockMs) {
    this.clockMs = clockMs;
    this.totals = new TrafficTotals(clockMs.getAsLong());
  }

  /** Takes the running totals down for windows older than the rings reach: once a second, off the request path. */
  public void tick() {
    totals.tick(clockMs.getAsLong());
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    int i = (int) (requests.getAndIncrement() & MASK);
    long micros = durationNanos / 1_000;
    boolean failure = failure(outcome);
    durationMicros[i] = micros;
    failed[i] = failure;
    endedAt[i] = clockMs.getAsLong();
    totals.request(micros, failure);
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
    boolean failure = failure(record.outcome());
    faultedMicros[i] = record.durationNanos() / 1_000;
    faultedFailed[i] = failure;
    faultedEndedAt[i] = clockMs.getAsLong();
    totals.faulted(failure);
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
    totals.fault();
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
    // Each ring holds the newest CAPACITY of its kind. Where the window reaches back past one, its older part is
    // counted from the running totals up to the first tick the ring covers (split), and the ring from there on.
    long requestsSplit = split(requests.get(), endedAt, fromMs);
    long faultsSplit = split(faults.get(), faultAt, fromMs);
    long faultedSplit = split(faultedExchanges.get(), faultedEndedAt, fromMs);
    long total = Math.min(requests.get(), CAPACITY);
    long[] durations = scratch.getAndSet(null);
    if (durations == null) {
      durations = new long[CAPACITY];
    }
    int n = 0;
    long errors = 0;
    double sum = 0;
    for (int i = 0; i < total; i++) {
      if (endedAt[i] >= requestsSplit && inWindow(endedAt[i], durationMicros[i], fromMs, toMs, startedAfterMs)) {
        durations[n++] = durationMicros[i];
        errors += failed[i] ? 1 : 0;
        sum += durationMicros[i];
      }
    }
    long faultTotal = Math.min(faults.get(), CAPACITY);
    long faultCount = 0;
    for (int i = 0; i < faultTotal; i++) {
      faultCount += faultAt[i] >= faultsSplit && faultAt[i] >= Math.max(fromMs, startedAfterMs) && faultAt[i] <= toMs ? 1 : 0;
    }
    long faultedTotal = Math.min(faultedExchanges.get(), CAPACITY);
    long faulted = 0;
    long faultedUnfailed = 0;
    for (int i = 0; i < faultedTotal; i++) {
      if (faultedEndedAt[i] >= faultedSplit && inWindow(faultedEndedAt[i], faultedMicros[i], fromMs, toMs, startedAfterMs)) {
        faulted++;
        faultedUnfailed += faultedFailed[i] ? 0 : 1;
      }
    }
    long from = Math.max(fromMs, startedAfterMs);
    long countedFrom = from;
    long count = n;
    long[] histogram = null;
    if (requestsSplit != Long.MIN_VALUE) {
      long[] older = totals.between(from, Math.min(requestsSplit, toMs));
      countedFrom = Math.max(countedFrom, older[0]);
      count += older[1 + TrafficTotals.REQUESTS];
      errors += older[1 + TrafficTotals.ERRORS];
      sum += older[1 + TrafficTotals.MICROS];
      histogram = totals.histogram(from, Math.min(requestsSplit, toMs));
      for (int i = 0; i < n; i++) {
        histogram[TrafficTotals.bucket(durations[i])]++;
      }
    }
    if (faultsSplit != Long.MIN_VALUE) {
      faultCount += totals.between(from, Math.min(faultsSplit, toMs))[1 + TrafficTotals.FAULTS];
    }
    if (faultedSplit != Long.MIN_VALUE) {
      long[] older = totals.between(from, Math.min(faultedSplit, toMs));
      faulted += older[1 + TrafficTotals.FAULTED];
      faultedUnfailed += older[1 + TrafficTotals.FAULTED_UNFAILED];
    }
    JsonObject window = new JsonObject()
        .put("request_count", count)
        .put("error_count", errors)
        .put("error_rate", count == 0 ? 0.0 : (double) errors / count)
        .put("fault_count", faultCount)
        .put("faulted_count", Math.min(faulted, count))
        .put("affected_count", Math.min(errors + faultedUnfailed, count))
        .put("avg_latency", count == 0 ? 0.0 : sum / count / 1_000.0);
    if (histogram != null) {
      window.put("p50_latency", percentile(histogram, 0.50)).put("p95_latency", percentile(histogram, 0.95))
          .put("p99_latency", percentile(histogram, 0.99));
    } else {
      // p99 first: every value left of it is no greater, so p95 and then p50 are selected within what is left of the one before
      int p99 = select(durations, n, rank(n, 0.99));
      int p95 = select(durations, p99 + 1, rank(n, 0.95));
      int p50 = select(durations, p95 + 1, rank(n, 0.50));
      window.put("p50_latency", millis(durations, n, p50)).put("p95_latency", millis(durations, n, p95))
          .put("p99_latency", millis(durations, n, p99));
    }
    if (countedFrom > from + 1_000) {
      window.put("counted_from", countedFrom); // older than the totals reach (three hours)
    }
    scratch.set(durations); // (a window that threw lets it go: the next makes another)
    return window;
  }

  /**
   * Where a ring takes over from the running totals in a window from {@code fromMs}: {@link Long#MIN_VALUE} when
   * the ring holds all of the window (it has not wrapped, or its oldest entry is older than the window), else the
   * first tick at or after its oldest entry (every request that ended from then on is in it). When no tick came
   * since (the gateway's ticker is not running, or the ring wrapped within the last second), the ring alone.
   */
  private long split(long written, long[] times, long fromMs) {
    if (written <= CAPACITY) {
      return Long.MIN_VALUE;
    }
    long oldest = Long.MAX_VALUE;
    for (long t : times) {
      oldest = Math.min(oldest, t);
    }
    if (fromMs >= oldest) {
      return Long.MIN_VALUE;
    }
    return totals.tickAtOrAfter(oldest);
  }

  /** The nearest-rank quantile {@code q} of a latency histogram, in ms (the middle of its bucket). */
  private static double percentile(long[] histogram, double q) {
    long n = 0;
    for (long c : histogram) {
      n += c;
    }
    if (n == 0) {
      return 0.0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int b = 0; b < histogram.length; b++) {
      seen += histogram[b];
      if (seen >= rank) {
        return TrafficTotals.middle(b) / 1_000.0;
      }
    }
    return TrafficTotals.middle(histogram.length - 1) / 1_000.0;
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
