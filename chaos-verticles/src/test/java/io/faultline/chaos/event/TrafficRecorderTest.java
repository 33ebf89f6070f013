package io.faultline.chaos.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The recent-traffic window orchestrations measure with, on a pinned clock. */
class TrafficRecorderTest {

  private final AtomicLong now = new AtomicLong(10_000);
  private final TrafficRecorder recorder = new TrafficRecorder(now::get);

  private void request(long atMs, String outcome, long durationMs) {
    now.set(atMs);
    recorder.requestCompleted("web", "http", "default", outcome, durationMs * 1_000_000);
  }

  @Test
  void aWindowCountsRequestsErrorsAndFaultsThatEndedInIt() {
    request(10_000, "2xx", 10);
    request(11_000, "5xx", 20);
    request(12_000, "dropped", 30);
    request(13_000, "4xx", 40);
    now.set(11_500);
    recorder.faultInjected("web", "http", "default", "latency");
    now.set(20_000);
    recorder.faultInjected("web", "http", "default", "http_error");

    JsonObject window = recorder.window(11_000, 13_000);
    assertThat(window.getInteger("request_count")).isEqualTo(3);
    assertThat(window.getInteger("error_count")).as("5xx and dropped, not 4xx").isEqualTo(2);
    assertThat(window.getDouble("error_rate")).isEqualTo(2.0 / 3);
    assertThat(window.getInteger("fault_count")).isEqualTo(1);
    assertThat(window.getDouble("avg_latency")).isEqualTo(30.0);
  }

  /** An exchange that ends at {@code atMs} with {@code outcome}, after {@code faults} (none: untouched), as the listeners report it. */
  private void exchange(long atMs, String outcome, String... faults) {
    request(atMs, outcome, 5);
    for (String fault : faults) {
      recorder.faultInjected("web", "websocket", "default", fault);
    }
    if (faults.length > 0) { // the flight recorder's record follows requestCompleted for every exchange a fault touched
      recorder.exchangeCompleted(new ExchangeRecord(atMs, "web", "websocket", "default", "GET", "/", null, 0, outcome,
          java.util.List.of(faults), 5_000_000, 0, null));
    }
  }

  @Test
  void aWindowCountsEachRequestAFaultTouchedOrThatFailedOnce() {
    exchange(10_000, "2xx", "message_drop", "message_drop", "message_drop", "message_delay"); // one connection, four faults
    exchange(10_100, "5xx", "http_error");   // touched and failed: once
    exchange(10_200, "dropped");             // failed untouched (the upstream's own failure)
    exchange(10_300, "2xx", "latency");      // touched, answered well
    for (int i = 0; i < 6; i++) {
      exchange(10_400 + i, "2xx");
    }
    JsonObject window = recorder.window(10_000, 11_000);
    assertThat(window.getInteger("request_count")).isEqualTo(10);
    assertThat(window.getInteger("fault_count")).as("faults injected").isEqualTo(6);
    assertThat(window.getInteger("faulted_count")).as("requests a fault touched").isEqualTo(3);
    assertThat(window.getInteger("affected_count")).as("touched or failed, each once").isEqualTo(4);
    // and with the step filter: only what started in it
    assertThat(recorder.window(10_000, 11_000, 10_250).getInteger("affected_count")).isEqualTo(1);
  }

  @Test
  void aWindowCanCountOnlyTheRequestsThatStartedInIt() {
    request(10_500, "2xx", 1_000); // started at 9,500, held by the step before
    request(10_600, "2xx", 250);   // started at 10,350
    request(10_700, "5xx", 240);   // started at 10,460
    now.set(9_500);
    recorder.faultInjected("web", "http", "default", "latency"); // the first one's, before the change
    now.set(10_350);
    recorder.faultInjected("web", "http", "default", "latency");
    JsonObject all = recorder.window(10_000, 11_000);
    assertThat(all.getInteger("request_count")).isEqualTo(3);
    JsonObject own = recorder.window(10_000, 11_000, 10_000);
    assertThat(own.getInteger("request_count")).isEqualTo(2);
    assertThat(own.getDouble("p99_latency")).as("the held second is not this step's").isEqualTo(250.0);
    assertThat(own.getInteger("error_count")).isEqualTo(1);
    assertThat(own.getInteger("fault_count")).isEqualTo(1);
  }

  @Test
  void percentilesAreNearestRankInMilliseconds() {
    for (int i = 1; i <= 100; i++) {
      request(10_000 + i, "2xx", i);
    }
    JsonObject window = recorder.window(0, Long.MAX_VALUE);
    assertThat(window.getDouble("p50_latency")).isEqualTo(50.0);
    assertThat(window.getDouble("p95_latency")).isEqualTo(95.0);
    assertThat(window.getDouble("p99_latency")).isEqualTo(99.0);
    assertThat(window.getDouble("avg_latency")).isEqualTo(50.5);
  }

  @Test
  void percentilesOfAFullRingOfShuffledDurationsAreTheSortedOnes() {
    Random random = new Random(42);
    long[] micros = new long[TrafficRecorder.CAPACITY];
    for (int i = 0; i < micros.length; i++) {
      // many equal values (a few hundred distinct ones), as real latencies have, and a long tail
      micros[i] = random.nextInt(10) == 0 ? 1_000 * (50 + random.nextInt(5_000)) : 1_000 * (1 + random.nextInt(200));
      now.set(10_000 + i / 100);
      recorder.requestCompleted("web", "http", "default", "2xx", micros[i] * 1_000);
    }
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    JsonObject window = recorder.window(10_000, Long.MAX_VALUE);
    assertThat(window.getInteger("request_count")).isEqualTo(micros.length);
    assertThat(window.getDouble("p50_latency")).isEqualTo(sorted[micros.length / 2 - 1] / 1_000.0);
    assertThat(window.getDouble("p95_latency")).isEqualTo(sorted[(int) Math.ceil(0.95 * micros.length) - 1] / 1_000.0);
    assertThat(window.getDouble("p99_latency")).isEqualTo(sorted[(int) Math.ceil(0.99 * micros.length) - 1] / 1_000.0);
  }

  @Test
  void windowsReadOneAfterAnotherShareTheirScratchAndAnswerAlike() {
    Random random = new Random(7);
    for (int i = 0; i < TrafficRecorder.CAPACITY; i++) {
      now.set(10_000 + i / 100);
      recorder.requestCompleted("web", "http", "default", "2xx", 1_000_000L * (1 + random.nextInt(500)));
    }
    JsonObject whole = recorder.window(10_000, Long.MAX_VALUE);
    JsonObject part = recorder.window(10_000, 10_099); // the first 10,000: the scratch holds the whole's after it
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    JsonObject again = recorder.window(10_000, Long.MAX_VALUE);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(again).isEqualTo(whole);
    assertThat(part.getInteger("request_count")).isEqualTo(10_000);
    assertThat(recorder.window(10_000, 10_099)).isEqualTo(part);
    // a full ring's durations are 512 KiB, a humongous object for G1 that went straight to the old generation
    assertThat(allocated).as("bytes allocated by a window over a full ring").isLessThan(64 * 1024);
  }

  @Test
  void selectionFindsEveryRankOfSmallArrays() {
    Random random = new Random(7);
    for (int n = 1; n <= 40; n++) {
      for (int k = 0; k < n; k++) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
          values[i] = random.nextInt(5); // duplicates on purpose
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        assertThat(values[TrafficRecorder.select(values, n, k)]).as("rank %d of %d", k, n).isEqualTo(sorted[k]);
        for (int i = 0; i < n; i++) {
          assertThat(i < k ? values[i] <= values[k] : values[i] >= values[k]).as("partitioned around rank %d of %d", k, n).isTrue();
        }
      }
    }
  }

  @Test
  void anEmptyWindowIsZeroesNotNaN() {
    request(10_000, "2xx", 5);
    JsonObject window = recorder.window(50_000, 60_000);
    assertThat(window.getInteger("request_count")).isZero();
    assertThat(window.getDouble("error_rate")).isZero();
    assertThat(window.getDouble("avg_latency")).isZero();
    assertThat(window.getDouble("p99_latency")).isZero();
  }

  /** Without ticks (no running totals taken down since), a window is what the ring holds: its newest CAPACITY requests. */
  @Test
  void withoutTicksOnlyTheNewestCapacityRequestsAreKept() {
    for (int i = 0; i < TrafficRecorder.CAPACITY + 10; i++) {
      request(i < 10 ? 11_000 : 15_000, "2xx", 1);
    }
    assertThat(recorder.window(0, 12_000).getInteger("request_count")).as("the oldest ten were overwritten").isZero();
    assertThat(recorder.window(0, 20_000).getInteger("request_count")).isEqualTo(TrafficRecorder.CAPACITY);
  }

  /**
   * A window longer than the rings reach is counted whole from the running totals for its older part: a run of
   * 100,000 requests was measured on its last 65,536, its request count stopping there and the errors of its
   * start gone from its error rate.
   */
  @Test
  void aWindowPastTheRingsIsCountedWholeFromTheTotals() {
    long base = 100_000;
    for (int second = 0; second < 100; second++) {
      now.set(base + second * 1_000L);
      recorder.tick(); // the gateway ticks once a second
      for (int j = 0; j < 1_000; j++) {
        long at = base + second * 1_000L + 1 + j % 999;
        boolean early = second < 20; // every error in the first 20 s, long before the last 65,536 requests
        exchange(at, early && j % 5 == 0 ? "5xx" : "2xx", 1 + j % 100, "latency");
      }
    }
    now.set(base + 100_000);
    recorder.tick();
    JsonObject run = recorder.window(base, base + 100_000);
    assertThat(run.getLong("request_count")).isEqualTo(100_000);
    assertThat(run.getLong("error_count")).isEqualTo(4_000);
    assertThat(run.getDouble("error_rate")).isEqualTo(0.04);
    assertThat(run.getLong("fault_count")).isEqualTo(100_000);
    assertThat(run.getLong("faulted_count")).isEqualTo(100_000);
    assertThat(run.getDouble("avg_latency")).isCloseTo(50.5, org.assertj.core.data.Offset.offset(0.01));
    assertThat(run.getDouble("p50_latency")).as("within a bucket: 10 %").isCloseTo(50.0, org.assertj.core.data.Percentage.withPercentage(10));
    assertThat(run.getDouble("p95_latency")).isCloseTo(95.0, org.assertj.core.data.Percentage.withPercentage(10));
    assertThat(run.getDouble("p99_latency")).isCloseTo(99.0, org.assertj.core.data.Percentage.withPercentage(10));
    assertThat(run.containsKey("counted_from")).isFalse();
    // a recent window the rings hold is exact, as before
    JsonObject last = recorder.window(base + 99_000, base + 100_000);
    assertThat(last.getLong("request_count")).isEqualTo(1_000);
    assertThat(last.getDouble("p99_latency")).isEqualTo(99.0);
  }

  /** As {@link #exchange(long, String, String...)}, taking {@code durationMs}. */
  private void exchange(long atMs, String outcome, long durationMs, String fault) {
    request(atMs, outcome, durationMs);
    recorder.faultInjected("web", "http", "default", fault);
    recorder.exchangeCompleted(new ExchangeRecord(atMs, "web", "http", "default", "GET", "/", null, 0, outcome,
        java.util.List.of(fault), durationMs * 1_000_000, 0, null));
  }
}
