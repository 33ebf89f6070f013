package io.faultline.chaos.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Trace ids from W3C traceparent headers, and the malformed ones that give none. */
class TraceParentTest {

  private static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void readsTheTraceIdOfAValidHeader() {
    assertThat(TraceParent.traceId("00-" + ID + "-00f067aa0ba902b7-01")).isEqualTo(ID);
    assertThat(TraceParent.traceId(" 00-" + ID + "-00f067aa0ba902b7-00 ")).isEqualTo(ID);
    assertThat(TraceParent.traceId("01-" + ID + "-00f067aa0ba902b7-01-future")).as("a later version may add fields").isEqualTo(ID);
  }

  @Test
  void malformedHeadersGiveNoTraceId() {
    assertThat(TraceParent.traceId(null)).isNull();
    assertThat(TraceParent.traceId("00-" + ID.toUpperCase() + "-00f067aa0ba902b7-01")).as("lowercase hex only").isNull();
    assertThat(TraceParent.traceId("ff-" + ID + "-00f067aa0ba902b7-01")).as("version ff is invalid").isNull();
    assertThat(TraceParent.traceId("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")).isNull();
    assertThat(TraceParent.traceId("00-" + ID + "-00f067aa0ba902b7-01-extra")).as("version 00 has exactly four fields").isNull();
    assertThat(TraceParent.traceId("00-" + ID.substring(1) + "-00f067aa0ba902b7-01")).isNull();
    assertThat(TraceParent.traceId("00_" + ID + "-00f067aa0ba902b7-01")).isNull();
  }
}
