package io.faultline.history.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.history.store.BoundedQueue;
import io.faultline.history.store.RecordedExchange;
import org.junit.jupiter.api.Test;

class FlightRecorderTest {

  private static FlightRecorder recorder(double sampleRate) {
    return new FlightRecorder(new BoundedQueue<RecordedExchange>(10), sampleRate);
  }

  private static int sampled(FlightRecorder recorder, int exchanges) {
    int n = 0;
    for (int i = 0; i < exchanges; i++) {
      n += recorder.samples() ? 1 : 0;
    }
    return n;
  }

  /** It was one in round(1 / rate): 0.7 sampled every exchange, 0.6 one in two, 0.3 one in three. */
  @Test
  void theShareSampledIsTheRateAsked() {
    for (double rate : new double[] {0.001, 0.05, 0.3, 0.6, 0.7, 0.99}) {
      FlightRecorder recorder = recorder(rate);
      for (int count : new int[] {100, 1_000, 10_000, 100_000}) {
        int expected = (int) Math.round(rate * count);
        assertThat(sampled(recorder(rate), count)).as("rate %s over %d", rate, count).isBetween(expected - 3, expected + 3);
      }
      assertThat(sampled(recorder, 1_000_000)).as("rate %s over a million", rate).isBetween((int) (rate * 1e6) - 5, (int) (rate * 1e6) + 5);
    }
  }

  @Test
  void noneAtZeroAndEveryOneAtOne() {
    assertThat(sampled(recorder(0), 10_000)).isZero();
    assertThat(sampled(recorder(1), 10_000)).isEqualTo(10_000);
  }

  /** "One in N" kept only A at 0.5 (every even exchange) and never B. */
  @Test
  void aClientAlternatingTwoCallsHasBothSampled() {
    for (double rate : new double[] {0.5, 0.25, 1.0 / 3}) {
      FlightRecorder recorder = recorder(rate);
      int[] byCall = new int[3];
      for (int i = 0; i < 30_000; i++) {
        byCall[i % 3] += recorder.samples() ? 1 : 0;
      }
      int expected = (int) Math.round(rate * 10_000);
      for (int call = 0; call < 3; call++) {
        assertThat(byCall[call]).as("call %d at rate %s", call, rate).isBetween(expected - expected / 10, expected + expected / 10);
      }
    }
  }

  /**
   * A record is queued with its path and operation cut to what the store keeps (2,048 and 256 characters): held whole, a
   * queue full of long paths, the database out, held hundreds of MB for bytes never stored. Short ones are queued as they are.
   */
  @Test
  void aRecordIsQueuedWithWhatTheStoreKeepsOfItsPath() {
    FlightRecorder recorder = recorder(1.0);
    io.faultline.chaos.event.ExchangeRecord record = new io.faultline.chaos.event.ExchangeRecord(1L, "web", "http", "default", "GET",
        "/" + "a".repeat(9_000), "Q".repeat(1_000), 200, "2xx", java.util.List.of("latency"), 5L, 0L, null);
    io.faultline.chaos.event.ExchangeRecord small = new io.faultline.chaos.event.ExchangeRecord(2L, "web", "http", "default", "GET",
        "/x", "Q", 200, "2xx", java.util.List.of("latency"), 5L, 0L, null);
    recorder.exchangeCompleted(record);
    recorder.exchangeCompleted(small);
    java.util.List<RecordedExchange> queued = recorder.queue().poll(2);
    assertThat(queued.get(0).exchange().path()).hasSize(RecordedExchange.PATH_CHARS).isEqualTo(record.path().substring(0, 2048));
    assertThat(queued.get(0).exchange().operation()).hasSize(RecordedExchange.OPERATION_CHARS);
    assertThat(queued.get(0).exchange().faults()).containsExactly("latency");
    assertThat(queued.get(1).exchange()).isSameAs(small);
  }
}
