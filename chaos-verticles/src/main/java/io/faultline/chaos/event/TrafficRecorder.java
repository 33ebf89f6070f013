package io.faultline.chaos.event;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
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

  public TrafficRecorder(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    int i = (int) (requests.getAndIncrement() & MASK);
    durationMicros[i] = durationNanos / 1_000;
    failed[i] = outcome.equals("5xx") || outcome.equals("dropped");
    endedAt[i] = clockMs.getAsLong();
  }

  @Override
  public void faultInjected(String listener, String protocol, String route, String type) {
    faultAt[(int) (faults.getAndIncrement() & MASK)] = clockMs.getAsLong();
  }

  /**
   * What requests that ended in {@code [fromMs, toMs]} saw: {@code request_count}, {@code error_count},
   * {@code error_rate} (5xx and dropped connections over all), {@code fault_count},
   * {@code avg_latency}, {@code p50_latency}, {@code p95_latency}, {@code p99_latency} (milliseconds).
   */
  public JsonObject window(long fromMs, long toMs) {
    long total = Math.min(requests.get(), CAPACITY);
    long[] durations = new long[(int) total];
    int n = 0;
    int errors = 0;
    double sum = 0;
    for (int i = 0; i < total; i++) {
      long at = endedAt[i];
      if (at >= fromMs && at <= toMs) {
        durations[n++] = durationMicros[i];
        errors += failed[i] ? 1 : 0;
        sum += durationMicros[i];
      }
    }
    long faultTotal = Math.min(faults.get(), CAPACITY);
    int faultCount = 0;
    for (int i = 0; i < faultTotal; i++) {
      faultCount += faultAt[i] >= fromMs && faultAt[i] <= toMs ? 1 : 0;
    }
    long[] sorted = Arrays.copyOf(durations, n);
    Arrays.sort(sorted);
    return new JsonObject()
        .put("request_count", n)
        .put("error_count", errors)
        .put("error_rate", n == 0 ? 0.0 : (double) errors / n)
        .put("fault_count", faultCount)
        .put("avg_latency", n == 0 ? 0.0 : sum / n / 1_000.0)
        .put("p50_latency", percentile(sorted, 0.50))
        .put("p95_latency", percentile(sorted, 0.95))
        .put("p99_latency", percentile(sorted, 0.99));
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0.0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000.0;
  }
}
