package io.faultline.chaos.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one lifecycle, driven with the real engine and a recording translator: its steps, its counting, its guards. */
class ExchangeRunnerTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final RecordingTranslator translator = new RecordingTranslator();
  private final RecordingListener events = new RecordingListener();
  private ChaosState state;
  private ExchangeRunner<String> runner;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private void chaos(String json) {
    state = new ChaosState(json == null ? ChaosConfig.off() : ChaosJson.parse(json, ChaosConfig.class, ""), System::nanoTime, 42);
    runner = new ExchangeRunner<>(vertx, "web", "http", state, events, translator, () -> 1_234L);
  }

  /** Starts and proceeds with an exchange on the event loop; answers it (null when untouched). */
  private Exchange<String> run(String path) throws Exception {
    return run(context, runner, path);
  }

  /** Starts and proceeds with an exchange of {@code runner} on {@code context}; answers it (null when untouched). */
  static Exchange<String> run(Context context, ExchangeRunner<String> runner, String path) throws Exception {
    Promise<Exchange<String>> started = Promise.promise();
    context.runOnContext(v -> {
      Exchange<String> exchange = runner.start(path, null, System.nanoTime());
      if (exchange != null) {
        exchange.proceed();
      }
      started.complete(exchange);
    });
    return started.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  void chaosOffLeavesExchangesUntouchedUnlessAListenerRecordsThemAll() throws Exception {
    chaos(null);
    assertThat(run("/a")).isNull();
    assertThat(events.faults()).isEmpty();
    events.recordingEveryExchange(true);
    Exchange<String> recorded = run("/b");
    assertThat(recorded).isNotNull();
    events.await("the record", () -> events.records().size() == 1);
    assertThat(translator.steps).containsExactly("forward");
    ExchangeRecord record = events.records().get(0);
    assertThat(record.faults()).isEmpty();
    assertThat(record.endedAtMs()).isEqualTo(1_234L);
    assertThat(record.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void anUntouchedExchangeWithChaosOnIsNullToo() throws Exception {
    chaos("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [500], \"http_error_probability\": 0.0,"
        + " \"timeout_probability\": 0.0001}, \"seed\": 1}");
    int untouched = 0;
    for (int i = 0; i < 20; i++) {
      untouched += run("/x") == null ? 1 : 0;
    }
    // 20 draws at 0.0001: the chance that one comes up is 0.2%, and the seed is fixed.
    assertThat(untouched).isEqualTo(20);
  }

  @Test
  void delaysThenAnswersWithTheTerminalCountingEachOnceInOrder() throws Exception {
    chaos("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 50},"
        + " \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
    long start = System.nanoTime();
    Exchange<String> exchange = run("/x");
    events.await("the completion", () -> events.completions().size() == 1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(50);
    assertThat(translator.steps).containsExactly("httpError");
    assertThat(events.faults()).containsExactly("latency", "http_error");
    assertThat(events.latencies()).containsExactly(50L);
    assertThat(events.completions().get(0).outcome()).isEqualTo("5xx");
    assertThat(events.records()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.injectedDelayMs()).isEqualTo(50);
      assertThat(r.faults()).containsExactly("latency", "http_error");
    });
    context.runOnContext(v -> exchange.end(200));
    assertThat(events.completions()).as("an exchange ends once").hasSize(1);
  }

  @Test
  void aFullBulkheadAnswersItsRefusalAndCountsIt() throws Exception {
    chaos("{\"enabled\": true, \"bulkhead\": {\"max_concurrent_requests\": 1, \"max_queue_size\": 0}}");
    translator.endOnForward = false;
    Exchange<String> holder = run("/first");
    assertThat(translator.steps).containsExactly("forward");
    run("/second");
    events.await("the refusal", () -> events.completions().size() == 1);
    assertThat(translator.steps).containsExactly("forward", "bulkheadFull");
    assertThat(events.faults()).containsExactly("bulkhead");
    Bulkhead bulkhead = state.snapshot().parts(Bulkhead.class).get("");
    assertThat(bulkhead.active()).isEqualTo(1);
    context.runOnContext(v -> holder.end(200));
    events.await("the first one's end", () -> events.completions().size() == 2);
    assertThat(bulkhead.active()).as("the permit came back").isZero();
  }

  @Test
  void aPermitGrantedAfterItsExchangeEndedIsGivenBack() throws Exception {
    chaos("{\"enabled\": true, \"bulkhead\": {\"max_concurrent_requests\": 1, \"max_queue_size\": 1, \"queue_timeout_ms\": 5000}}");
    translator.endOnForward = false;
    Exchange<String> holder = run("/first");
    Exchange<String> waiting = run("/second");
    Bulkhead bulkhead = state.snapshot().parts(Bulkhead.class).get("");
    assertThat(bulkhead.queued()).isEqualTo(1);
    context.runOnContext(v -> waiting.drop(true)); // the client left while queued
    context.runOnContext(v -> holder.end(200));
    events.await("both ends", () -> events.completions().size() == 2);
    events.await("the permit handed to the one that left comes back", () -> bulkhead.active() == 0);
    assertThat(translator.steps).containsExactly("forward");
  }

  @Test
  void aRateLimitsOwn429sDoNotOpenTheBreakerButServerErrorsDo() throws Exception {
    chaos("{\"enabled\": true, \"circuit_breaker\": {\"failure_threshold\": 2},"
        + " \"rate_limit\": {\"requests_per_second\": 0.001, \"burst_size\": 1}}");
    for (int i = 0; i < 5; i++) {
      run("/x");
    }
    events.await("five completions", () -> events.completions().size() == 5);
    assertThat(translator.steps).containsExactly("forward", "rateLimited", "rateLimited", "rateLimited", "rateLimited");
    CircuitBreaker breaker = state.snapshot().parts(CircuitBreaker.class).get("");
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  /**
   * A bulkhead's own refusals say nothing of the upstream, so a circuit breaker ignores them, as it does a rate limit's
   * 429s: over HTTP they counted as failures and opened the breaker on a healthy upstream (over gRPC and GraphQL, whose
   * refusals are no 5xx, as successes, which closed a half-open breaker whose probe never went through).
   */
  @Test
  void aBulkheadsOwnRefusalsDoNotCountForTheBreaker() throws Exception {
    chaos("{\"enabled\": true, \"circuit_breaker\": {\"failure_threshold\": 2},"
        + " \"bulkhead\": {\"max_concurrent_requests\": 1, \"max_queue_size\": 0}}");
    translator.endOnForward = false;
    Exchange<String> holder = run("/first");
    for (int i = 0; i < 3; i++) {
      run("/refused");
    }
    events.await("three refusals", () -> events.completions().size() == 3);
    assertThat(translator.steps).containsExactly("forward", "bulkheadFull", "bulkheadFull", "bulkheadFull");
    CircuitBreaker breaker = state.snapshot().parts(CircuitBreaker.class).get("");
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    context.runOnContext(v -> holder.end(200));
    events.await("the first one's end", () -> events.completions().size() == 4);
  }

  @Test
  void aClientThatLeftDuringTheDelayIsDroppedNotForwarded() throws Exception {
    chaos("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 30}}");
    translator.gone = true;
    run("/x");
    events.await("the drop", () -> events.completions().size() == 1);
    assertThat(events.completions().get(0).outcome()).isEqualTo("dropped");
    assertThat(translator.steps).isEmpty();
  }

  @Test
  void aDelayCutShortReportsWhatItAddedNotWhatWasPlanned() throws Exception {
    chaos("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 5000}}");
    run("/x");
    Thread.sleep(150);
    state.set(ChaosConfig.off()); // the kill switch releases it
    events.await("the release", () -> events.records().size() == 1);
    assertThat(translator.steps).containsExactly("forward");
    // it was 5,000 in the recorder, the span and the latency metric, for a request that waited about 150 ms
    assertThat(events.records().get(0).injectedDelayMs()).isBetween(100L, 2_000L);
    assertThat(events.latencies()).singleElement().isEqualTo(events.records().get(0).injectedDelayMs());

    chaos("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 5000}}");
    Exchange<String> left = run("/y");
    Thread.sleep(150);
    context.runOnContext(v -> left.drop(true)); // its client left: the listener ends it
    events.await("the drop", () -> events.records().size() == 2);
    assertThat(events.records().get(1).injectedDelayMs()).isBetween(100L, 2_000L);
  }

  @Test
  void upstreamFailuresAreTooSlowOnlyForTimeouts() {
    chaos(null);
    translator.upstreamFailed("/x", "u", new TimeoutException("idle"));
    translator.upstreamFailed("/x", "u", new io.vertx.core.VertxException("wrapped", new TimeoutException("idle")));
    translator.upstreamFailed("/x", "u", new java.net.ConnectException("refused"));
    assertThat(translator.steps).containsExactly("upstreamTooSlow", "upstreamTooSlow", "upstreamDown");
  }
}
