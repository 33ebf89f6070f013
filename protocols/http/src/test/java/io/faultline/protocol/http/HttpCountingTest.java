package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.testing.RecordingListener;
import org.junit.jupiter.api.Test;

/** What an HTTP listener reports: every exchange counted once, faults from the decisions, a record of each faulted exchange. */
class HttpCountingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void aFaultedExchangeIsRecordedOnceWithWhatTheClientGot() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "latency": {"fixed_delay_ms": 20},
         "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}""")) {
      int status = gw.client.get("/orders/7?verbose=1").putHeader("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
          .send().await().statusCode();
      assertThat(status).isEqualTo(503);
      RecordingListener events = gw.events;
      events.await("the exchange's record", () -> events.records().size() == 1);
      ExchangeRecord record = events.records().get(0);
      assertThat(record.listener()).isEqualTo("web");
      assertThat(record.protocol()).isEqualTo("http");
      assertThat(record.route()).isEqualTo("default");
      assertThat(record.method()).isEqualTo("GET");
      assertThat(record.path()).isEqualTo("/orders/7");
      assertThat(record.status()).isEqualTo(503);
      assertThat(record.outcome()).isEqualTo("5xx");
      assertThat(record.faults()).containsExactly("latency", "http_error");
      assertThat(record.injectedDelayMs()).isEqualTo(20);
      assertThat(record.durationNanos()).isGreaterThanOrEqualTo(20_000_000L);
      assertThat(record.traceId()).isEqualTo(TRACE);
      assertThat(events.faults()).containsExactly("latency", "http_error");
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("5xx");
    }
  }

  @Test
  void untouchedExchangesAreCountedButRecordedOnlyWhenAListenerAsks() {
    try (GatewayFixture gw = new GatewayFixture(null)) {
      RecordingListener events = gw.events;
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      events.await("the first completion", () -> events.completions().size() == 1);
      assertThat(events.records()).isEmpty();

      events.recordingEveryExchange(true);
      assertThat(gw.client.get("/b").putHeader("traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")
          .send().await().statusCode()).isEqualTo(200);
      events.await("the second record", () -> events.records().size() == 1);
      ExchangeRecord record = events.records().get(0);
      assertThat(record.path()).isEqualTo("/b");
      assertThat(record.faults()).isEmpty();
      assertThat(record.outcome()).isEqualTo("2xx");
      assertThat(record.traceId()).as("an all-zero trace id is invalid").isNull();
      assertThat(events.completions()).hasSize(2);
    }
  }

  @Test
  void aCutResponseCountsAsDroppedAsOnEveryListener() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      assertThat(HttpChaosTest.raw(gw, "/bytes/100000").broken()).isTrue();
      RecordingListener events = gw.events;
      events.await("the exchange's end", () -> events.records().size() == 1);
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("dropped");
      assertThat(events.records().get(0).faults()).containsExactly("partial_response");
      assertThat(events.records().get(0).status()).isEqualTo(200);
    }
  }
}
