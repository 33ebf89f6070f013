package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.trace.ExchangeTracer;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The lifecycle of every exchange on every listener, written once. A listener hands each exchange to
 * {@link #start}; what differs between protocols is only its {@link Translator}.
 *
 * <pre>
 *  exchange ─► snapshot.enabled()? ─no─► null: the listener forwards it untouched (the plain-proxy path,
 *                  │ yes                       one volatile read) and reports its end with untouched(..)
 *                  ▼
 *            decide ─► Verdict.PASS ─► null, the same (unless a listener records every exchange, or the
 *                  │                         Vert.x instance traces exchanges: then it runs on, with nothing to do)
 *                  ▼  new Exchange: its span begins (when traced); Exchange.proceed()
 *   admit each guard (bulkhead permit) ─refused─► count the guard's fault ─► translator: its refusal
 *                  │
 *                  ▼
 *   delay (a timer) ─ count each DELAY decision, latencyInjected(total)
 *                  │  client gone meanwhile? ─► end as dropped
 *                  │  chaos switched off meanwhile (or during a timeout's hold)? ─► released: forwarded plainly
 *                  ▼
 *   terminal? ─yes─► count it ─► translator.&lt;kind&gt;(exchange, decision)   HTTP status, gRPC status, close, errors[]
 *                  │ no                          (a Cut forwards too: Exchange.forward(cut))
 *                  ▼
 *   Exchange.forward(): count each ACT decision (bandwidth, field faults, message faults) ─► translator.forward
 *                  │        per-message faults are counted as they happen: Exchange.injected(type)
 *                  ▼
 *   Exchange.end(status, outcome, failed), once ─► guards: permits back, breakers told the outcome
 *                  ─► requestCompleted ─► exchangeCompleted(ExchangeRecord) if a fault touched it
 *                  ─► its span ends with the faults, the injected delay and the outcome (when traced)
 * </pre>
 *
 * One runner serves one listener's verticle instance; each exchange stays on its event loop. Tracing is
 * the Vert.x instance's ({@link ExchangeTracer#of}): without a tracer it costs a null check.
 */
public final class ExchangeRunner<C> {

  final Vertx vertx;
  final String listener;
  final String protocol;
  final ChaosListener events;
  final Translator<C> translator;
  final LongSupplier wallClockMs;
  /** Null when the Vert.x instance traces no exchanges. */
  final ExchangeTracer tracer;
  private final ChaosState state;
  /** Exchanges held by a delay or a timeout right now, on this runner's event loop. */
  private final java.util.Set<Exchange<C>> held = new java.util.LinkedHashSet<>();
  /** The kill switch: once chaos is off, what chaos holds goes on at once (kept in a field: the state holds it weakly). */
  private final java.util.function.Consumer<ChaosSnapshot> releaseWhenOff;

  public ExchangeRunner(Vertx vertx, String listener, String protocol, ChaosState state, ChaosListener events,
      Translator<C> translator) {
    this(vertx, listener, protocol, state, events, translator, System::currentTimeMillis);
  }

  /** {@code wallClockMs} stamps the end of each {@link io.faultline.chaos.event.ExchangeRecord}. */
  public ExchangeRunner(Vertx vertx, String listener, String protocol, ChaosState state, ChaosListener events,
      Translator<C> translator, LongSupplier wallClockMs) {
    this.vertx = vertx;
    this.listener = listener;
    this.protocol = protocol;
    this.state = state;
    this.events = events;
    this.translator = translator;
    this.wallClockMs = wallClockMs;
    this.tracer = ExchangeTracer.of(vertx);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    this.releaseWhenOff = next -> {
      if (!next.enabled()) {
        context.runOnContext(v -> releaseHeld());
      }
    };
    state.watch(releaseWhenOff);
  }

  /** Whether chaos is on now (one volatile read): pacers stop pacing once it is off. */
  boolean chaosOn() {
    return state.snapshot().enabled();
  }

  void held(Exchange<C> exchange, boolean holding) {
    if (holding) {
      held.add(exchange);
    } else {
      held.remove(exchange);
    }
  }

  /** Sends every exchange a delay or a timeout holds on to its upstream now, as if chaos had never touched it. */
  void releaseHeld() {
    for (Exchange<C> exchange : List.copyOf(held)) {
      exchange.release();
    }
  }

  public Translator<C> translator() {
    return translator;
  }

  /**
   * Decides exchange {@code call} on {@code route} (its name, null for the listener's own upstream),
   * which began at {@code startedNanos}. Returns null when chaos leaves it untouched: the caller forwards
   * it plainly and reports its end with {@link #untouched}. Otherwise returns the exchange, for the caller
   * to {@link Exchange#proceed()} once it is ready to be answered, and to {@link Exchange#end} when it ends.
   * A traced exchange is never left untouched: it has a span to begin and end.
   */
  public Exchange<C> start(C call, String route, long startedNanos) {
    ChaosSnapshot snapshot = state.snapshot();
    if (!snapshot.enabled()) {
      boolean record = events.samples();
      return record || tracer != null ? exchange(call, route, startedNanos, Verdict.PASS, null, record) : null;
    }
    RequestFacts facts = translator.facts(call, route);
    Verdict verdict = snapshot.decide(facts);
    boolean record = events.samples();
    if (verdict == Verdict.PASS && !record && tracer == null) {
      return null;
    }
    return exchange(call, route, startedNanos, verdict, facts, record);
  }

  /**
   * An exchange {@link #start} left untouched that chaos reached later (a tcp connection given a toxic
   * while it is open): from now on its faults are counted and it is recorded like any other. Its verdict
   * is {@link Verdict#PASS}; the caller never proceeds it, and ends it with {@link Exchange#end}.
   */
  public Exchange<C> late(C call, String route, long startedNanos) {
    return exchange(call, route, startedNanos, Verdict.PASS, null, events.samples());
  }

  private Exchange<C> exchange(C call, String route, long startedNanos, Verdict verdict, RequestFacts facts, boolean recordAlways) {
    return new Exchange<>(this, call, label(route), facts != null ? facts : translator.facts(call, route), verdict,
        startedNanos, recordAlways);
  }

  /**
   * Reports the end of an exchange {@link #start} left untouched (or that never got as far as a route):
   * answered with {@code outcome}, or {@code dropped}; {@code routeLabel} as {@link #label} gives it.
   */
  public void untouched(String routeLabel, long startedNanos, String outcome) {
    events.requestCompleted(listener, protocol, routeLabel, outcome, System.nanoTime() - startedNanos);
  }

  /** An untouched exchange whose answer began at {@code answeredNanos} ended with {@code outcome}: its duration is to that start. */
  public void untouched(String routeLabel, long startedNanos, long answeredNanos, String outcome) {
    events.requestCompleted(listener, protocol, routeLabel, outcome, answeredNanos - startedNanos);
  }

  /** A route's metric label: its name, {@code default} for the listener's own upstream (a null name). */
  public static String label(String route) {
    return route == null ? io.faultline.chaos.config.RouteConfig.DEFAULT_NAME : route;
  }
}
