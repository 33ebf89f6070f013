package io.faultline.chaos.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
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
  void anEmptyWindowIsZeroesNotNaN() {
    request(10_000, "2xx", 5);
    JsonObject window = recorder.window(50_000, 60_000);
    assertThat(window.getInteger("request_count")).isZero();
    assertThat(window.getDouble("error_rate")).isZero();
    assertThat(window.getDouble("avg_latency")).isZero();
    assertThat(window.getDouble("p99_latency")).isZero();
  }

  @Test
  void onlyTheNewestCapacityRequestsAreKept() {
    for (int i = 0; i < TrafficRecorder.CAPACITY + 10; i++) {
      request(i < 10 ? 1_000 : 5_000, "2xx", 1);
    }
    assertThat(recorder.window(0, 2_000).getInteger("request_count")).as("the oldest ten were overwritten").isZero();
    assertThat(recorder.window(0, 10_000).getInteger("request_count")).isEqualTo(TrafficRecorder.CAPACITY);
  }
}
