package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.testing.RecordingListener;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a gRPC listener reports: every call counted once when its stream ends, faults from the decisions, a record of each faulted call. */
class GrpcCountingTest {

  @Test
  void streamFaultsAreCountedOncePerCallWhenItIsForwarded() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "latency": {"per_message_delay_ms": 5},
         "traffic_shaping": {"bandwidth_limit_bps": 1000000},
         "fault_injection": {"abort_after_messages": 2, "abort_status": "UNAVAILABLE"}}""")) {
      GrpcFixture.Result result = gw.call("Repeat", List.of("5"));
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(result.messages()).containsExactly("m0", "m1");
      RecordingListener events = gw.events;
      events.await("the call's record", () -> events.records().size() == 1);
      assertThat(events.faults()).containsExactly("message_latency", "bandwidth", "abort_stream");
      ExchangeRecord record = events.records().get(0);
      assertThat(record.protocol()).isEqualTo("grpc");
      assertThat(record.route()).isEqualTo("echo");
      assertThat(record.method()).isEqualTo("POST");
      assertThat(record.path()).isEqualTo("/test.Echo/Repeat");
      assertThat(record.status()).as("the gRPC status code").isEqualTo(GrpcStatus.UNAVAILABLE.code);
      assertThat(record.outcome()).isEqualTo("5xx");
    }
  }

  /** A call its client cancels is counted dropped, relayed as a stream or decoded alike, and its upstream call cancelled. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"off", "touched"})
  void aCallItsClientCancelsIsCountedDropped(String mode) throws Exception {
    try (GrpcFixture gw = new GrpcFixture(GrpcProxyVerticleTest.chaos(mode))) {
      var request = gw.client.request(io.vertx.core.net.SocketAddress.inetSocketAddress(gw.port, "127.0.0.1")).await();
      request.fullMethodName("test.Echo/Hang");
      request.end(io.vertx.core.buffer.Buffer.buffer("x"));
      long deadline = System.currentTimeMillis() + 5_000;
      while (gw.upstreamCalls.get() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      request.cancel();
      // the upstream call's cancelling failed it at once, and that failure was taken for the call's answer: 5xx
      gw.events.await("the count", () -> gw.events.completions().size() == 1);
      assertThat(gw.events.completions().get(0).outcome()).isEqualTo("dropped");
    }
  }

  /**
   * A streaming call's duration is to its response's start, as every request's is: a stream of 30 messages
   * 50 ms apart took its whole 1.5 s in the duration histogram and the recorder, relayed as a stream or decoded.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"off", "touched"})
  void aStreamsDurationIsToItsResponsesStart(String mode) throws Exception {
    try (GrpcFixture gw = new GrpcFixture(GrpcProxyVerticleTest.chaos(mode))) {
      GrpcFixture.Result result = gw.call("Drip", List.of("30"), 20_000, Map.of(), null);
      assertThat(result.messages()).hasSize(30);
      gw.events.await("the count", () -> gw.events.completions().size() == 1);
      long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(gw.events.completions().get(0).durationNanos());
      assertThat(ms).as("its duration, ms, for a stream of 1.5 s").isLessThan(1_000);
    }
  }

  /**
   * Calls their clients cancel (a deadline, a hedged call) are no upstream failure for a circuit breaker: three
   * cancels opened a breaker of threshold 3, and the next call of any client got UNAVAILABLE "circuit breaker open".
   * Cancelled mid-answer ({@code Stall}: one message, then nothing), the upstream call's cancelling was taken for
   * the upstream's stream breaking off, and the client's reset for the upstream's failure.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Hang", "Stall"})
  void callsTheirClientsCancelDoNotOpenACircuitBreaker(String method) throws Exception {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"circuit_breaker\": {\"failure_threshold\": 3, \"reset_timeout_ms\": 30000}}")) {
      for (int i = 1; i <= 3; i++) {
        var request = gw.client.request(io.vertx.core.net.SocketAddress.inetSocketAddress(gw.port, "127.0.0.1")).await();
        request.fullMethodName("test.Echo/" + method);
        request.end(io.vertx.core.buffer.Buffer.buffer("x"));
        long deadline = System.currentTimeMillis() + 5_000;
        int calls = i;
        while (gw.upstreamCalls.get() < calls && System.currentTimeMillis() < deadline) {
          Thread.sleep(10);
        }
        if (method.equals("Stall")) {
          request.response().await(5, java.util.concurrent.TimeUnit.SECONDS); // mid-answer: its head (and first message) came
          Thread.sleep(100);
        }
        request.cancel();
        gw.events.await("cancel " + calls + " counted", () -> gw.events.completions().size() == calls);
      }
      io.faultline.chaos.limit.CircuitBreaker breaker = gw.state.snapshot().parts(io.faultline.chaos.limit.CircuitBreaker.class).get("");
      assertThat(breaker.state()).isEqualTo(io.faultline.chaos.limit.CircuitBreaker.State.CLOSED);
      GrpcFixture.Result next = gw.call("Unary", List.of("after"), 20_000, Map.of(), null);
      assertThat(next.status()).as("the next call goes through").isEqualTo(GrpcStatus.OK);
    }
  }

  /**
   * An injected cut (a stream drop: the client's stream reset mid-answer) is a failure for a circuit breaker, as an upstream
   * breaking off is and as an injected cut is on the other listeners: it was counted as the client's own leaving.
   */
  @Test
  void injectedCutsOpenACircuitBreaker() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"stream_drop_probability": 1.0},
         "circuit_breaker": {"failure_threshold": 3, "reset_timeout_ms": 30000}}""")) {
      for (int i = 1; i <= 3; i++) {
        assertThat(gw.call("Repeat", List.of("4")).status()).as("call " + i).isNotEqualTo(GrpcStatus.OK);
        int calls = i;
        gw.events.await("cut " + calls + " counted", () -> gw.events.completions().size() == calls);
      }
      io.faultline.chaos.limit.CircuitBreaker breaker = gw.state.snapshot().parts(io.faultline.chaos.limit.CircuitBreaker.class).get("");
      assertThat(breaker.state()).isEqualTo(io.faultline.chaos.limit.CircuitBreaker.State.OPEN);
      GrpcFixture.Result refused = gw.call("Unary", List.of("after"));
      assertThat(refused.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(gw.upstreamCalls.get()).as("the open breaker keeps the fourth call from the upstream").isEqualTo(3);
    }
  }

  /**
   * A call whose deadline passes while a per-message delay holds its message is over: the message is dropped, and the
   * abort that was to follow it is neither made nor counted. The hold went on waking every 20 ms for its whole delay,
   * then counted an abort_stream for a call already answered DEADLINE_EXCEEDED.
   */
  @Test
  void aMessageHeldPastItsCallsDeadlineIsDroppedAndNoAbortIsCounted() throws Exception {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "latency": {"per_message_delay_ms": 1500},
         "fault_injection": {"abort_after_messages": 1, "abort_status": "UNAVAILABLE"}}""")) {
      GrpcFixture.Result expired = gw.call("Repeat", List.of("3"), 300, Map.of(), null);
      assertThat(expired.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      gw.events.await("the call counted", () -> gw.events.completions().size() == 1);
      Thread.sleep(2_000); // past the delay the message was held for
      assertThat(gw.events.faults()).as("no abort for a call already over").doesNotContain("abort_stream");
    }
  }

  /**
   * A client whose connection goes with calls in progress (its process exits: no stream is reset) has them
   * counted dropped and their upstream calls cancelled, relayed as a stream or decoded alike. Decoded (chaos
   * on), the upstream calls ran to their end for nobody.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"off", "touched"})
  void callsWhoseClientConnectionGoesAreDroppedAndCancelledUpstream(String mode) throws Exception {
    try (GrpcFixture gw = new GrpcFixture(GrpcProxyVerticleTest.chaos(mode))) {
      io.vertx.grpc.client.GrpcClient own = io.vertx.grpc.client.GrpcClient.client(gw.vertx, new io.vertx.grpc.client.GrpcClientOptions());
      List<io.vertx.grpc.client.GrpcClientRequest<io.vertx.core.buffer.Buffer, io.vertx.core.buffer.Buffer>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        var request = own.request(io.vertx.core.net.SocketAddress.inetSocketAddress(gw.port, "127.0.0.1")).await();
        request.fullMethodName("test.Echo/Hang");
        request.end(io.vertx.core.buffer.Buffer.buffer("x"));
        calls.add(request);
      }
      long deadline = System.currentTimeMillis() + 5_000;
      while (gw.upstreamCalls.get() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      calls.get(0).connection().close().await(); // all three share it
      gw.events.await("the counts", () -> gw.events.completions().size() == 3);
      assertThat(gw.events.completions()).extracting(RecordingListener.Completion::outcome).containsOnly("dropped");
      deadline = System.currentTimeMillis() + 5_000;
      while (gw.upstreamCancels.get() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(gw.upstreamCancels.get()).as("upstream calls cancelled").isEqualTo(3);
      own.close().await();
    }
  }

  /** An abort after N messages that a call never reaches (a unary call, a short stream) is neither said nor counted. */
  @Test
  void anAbortAStreamNeverReachesIsNeitherSaidNorCounted() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"abort_after_messages": 5, "abort_status": "UNAVAILABLE"}}""")) {
      GrpcFixture.Result unary = gw.call("Unary", List.of("1"));
      assertThat(unary.status()).isEqualTo(GrpcStatus.OK);
      GrpcFixture.Result shortStream = gw.call("Repeat", List.of("3"));
      assertThat(shortStream.status()).isEqualTo(GrpcStatus.OK);
      assertThat(shortStream.messages()).hasSize(3);
      for (GrpcFixture.Result r : List.of(unary, shortStream)) {
        assertThat(r.headers().get(GrpcDecisions.FAULT_HEADER)).isNull();
        assertThat(r.trailers().get(GrpcDecisions.FAULT_HEADER)).isNull();
      }
      GrpcFixture.Result aborted = gw.call("Repeat", List.of("7"));
      assertThat(aborted.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(aborted.messages()).hasSize(5);
      assertThat(aborted.trailers().get(GrpcDecisions.FAULT_HEADER)).isEqualTo("abort_stream");
      RecordingListener events = gw.events;
      events.await("three completions", () -> events.completions().size() == 3);
      assertThat(events.faults()).containsExactly("abort_stream");
    }
  }

  @Test
  void anInjectedStatusIsCountedByTheHttpStatusItMapsTo() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "rate_limit": {"requests_per_second": 0.001, "burst_size": 1}}""")) {
      assertThat(gw.call("Unary", List.of("1")).status()).isEqualTo(GrpcStatus.OK);
      assertThat(gw.call("Unary", List.of("2")).status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
      RecordingListener events = gw.events;
      events.await("both completions", () -> events.completions().size() == 2);
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("2xx", "4xx");
      assertThat(events.faults()).containsExactly("rate_limit");
      events.await("the record, which follows its completion", () -> events.records().size() == 1);
      assertThat(events.records()).extracting(ExchangeRecord::status).containsExactly(GrpcStatus.RESOURCE_EXHAUSTED.code);
    }
  }
}
