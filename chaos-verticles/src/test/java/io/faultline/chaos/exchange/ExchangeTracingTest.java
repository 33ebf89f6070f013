package io.faultline.chaos.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.trace.ExchangeTracer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's spans: found on the Vert.x instance, one per exchange, ended once with what chaos did. */
class ExchangeTracingTest {

  private static final String CLIENT_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final RecordingTracer tracer = new RecordingTracer();
  private final Vertx traced = Vertx.builder().withTracer(options -> tracer).build();
  private final Vertx untraced = Vertx.vertx();
  private final RecordingTranslator translator = new RecordingTranslator();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void close() {
    traced.close().await();
    untraced.close().await();
  }

  private ExchangeRunner<String> runner(Vertx vertx, String chaos) {
    ChaosState state = new ChaosState(chaos == null ? ChaosConfig.off() : ChaosJson.parse(chaos, ChaosConfig.class, ""), System::nanoTime, 42);
    return new ExchangeRunner<>(vertx, "web", "http", state, events, translator, () -> 1_234L);
  }

  private static Exchange<String> run(Vertx vertx, ExchangeRunner<String> runner, String path) throws Exception {
    return ExchangeRunnerTest.run(vertx.getOrCreateContext(), runner, path);
  }

  @Test
  void aRunnerFindsTheTracerOnItsVertxAndWithoutOneLeavesChaosOffExchangesUntouched() throws Exception {
    assertThat(ExchangeTracer.of(traced)).isSameAs(tracer);
    assertThat(ExchangeTracer.of(untraced)).isNull();
    assertThat(run(untraced, runner(untraced, null), "/a")).as("the plain-proxy path: no exchange, no span").isNull();
    assertThat(tracer.spans).isEmpty();
  }

  @Test
  void everyTracedExchangeHasOneSpanEvenWithChaosOff() throws Exception {
    ExchangeRunner<String> runner = runner(traced, null);
    assertThat(run(traced, runner, "/a")).isNotNull();
    assertThat(run(traced, runner, "/b")).isNotNull();
    assertThat(translator.steps).containsExactly("forward", "forward");
    assertThat(tracer.spans).hasSize(2).allSatisfy(span -> {
      assertThat(span.listener).isEqualTo("web");
      assertThat(span.protocol).isEqualTo("http");
      assertThat(span.route).isEqualTo("default");
      assertThat(span.clientTraceparent).isEqualTo(CLIENT_TRACEPARENT);
      assertThat(span.ends).hasValue(1);
      assertThat(span.record.faults()).isEmpty();
      assertThat(span.record.injectedDelayMs()).isZero();
      assertThat(span.record.outcome()).isEqualTo("2xx");
      assertThat(span.injected).isNull();
      assertThat(span.failed).isFalse();
    });
    assertThat(events.records()).as("a span is no flight-recorder record").isEmpty();
  }

  @Test
  void theSpanEndsOnceWithTheFaultsTheDelayAndTheFaultThatAnsweredIt() throws Exception {
    ExchangeRunner<String> runner = runner(traced, "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 50},"
        + " \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
    Exchange<String> exchange = run(traced, runner, "/x");
    events.await("the completion", () -> events.completions().size() == 1);
    RecordingTracer.Span span = tracer.spans.get(0);
    // the span ends on the exchange's context, which may be a moment after the completion is published
    events.await("the span's end", () -> span.ends.get() >= 1);
    assertThat(span.ends).hasValue(1);
    assertThat(span.record.faults()).containsExactly("latency", "http_error");
    assertThat(span.record.injectedDelayMs()).isEqualTo(50);
    assertThat(span.record.status()).isEqualTo(503);
    assertThat(span.injected.type()).isEqualTo("http_error");
    assertThat(span.failed).isTrue();
    assertThat(events.records()).singleElement().satisfies(r -> assertThat(r.traceId()).as("the record names the span's trace")
        .isEqualTo(span.traceId));
    traced.getOrCreateContext().runOnContext(v -> exchange.end(200));
    assertThat(span.ends).as("an exchange ends once, and so does its span").hasValue(1);
  }

  @Test
  void aTracedExchangeReplacesTheClientsTraceContextAndAnUntracedOneForwardsIt() throws Exception {
    translator.endOnForward = false;
    Exchange<String> tracedExchange = run(traced, runner(traced, null), "/a");
    MultiMap vertxTraced = clientHeaders();
    tracedExchange.clearTraceContext(vertxTraced);
    assertThat(vertxTraced.names()).as("Vert.x's client adds its own").containsExactly("x-other");
    MultiMap handshake = clientHeaders();
    tracedExchange.setTraceContext(handshake);
    assertThat(handshake.getAll("traceparent")).containsExactly("00-" + tracer.spans.get(0).traceId + "-00f067aa0ba902b7-01");
    assertThat(handshake.contains("tracestate")).isFalse();

    events.recordingEveryExchange(true);
    Exchange<String> untracedExchange = run(untraced, runner(untraced, null), "/b");
    MultiMap forwarded = clientHeaders();
    untracedExchange.clearTraceContext(forwarded);
    untracedExchange.setTraceContext(forwarded);
    assertThat(forwarded).as("untouched").hasSize(3);
    assertThat(forwarded.get("traceparent")).isEqualTo(CLIENT_TRACEPARENT);
  }

  private static MultiMap clientHeaders() {
    return MultiMap.caseInsensitiveMultiMap().add("traceparent", CLIENT_TRACEPARENT).add("tracestate", "a=1").add("x-other", "y");
  }
}
