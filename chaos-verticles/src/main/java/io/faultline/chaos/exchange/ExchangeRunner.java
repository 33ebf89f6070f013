package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import java.util.function.LongSupplier;

/**
 * The lifecycle of every exchange on every listener, written once. A listener hands each exchange to
 * {@link #start}; what differs between protocols is only its {@link Translator}.
 *
 * <pre>
 *  exchange ─► snapshot.enabled()? ─no─► null: the listener forwards it untouched (the plain-proxy path,
 *                  │ yes                       one volatile read) and reports its end with untouched(..)
 *                  ▼
 *            decide ─► Verdict.PASS ─► null, the same (unless a listener records every exchange)
 *                  │
 *                  ▼  Exchange.proceed()
 *   admit each guard (bulkhead permit) ─refused─► count the guard's fault ─► translator: its refusal
 *                  │
 *                  ▼
 *   delay (a timer) ─ count each DELAY decision, latencyInjected(total)
 *                  │  client gone meanwhile? ─► end as dropped
 *                  ▼
 *   terminal? ─yes─► count it ─► translator.&lt;kind&gt;(exchange, decision)   HTTP status, gRPC status, close, errors[]
 *                  │ no                          (a Cut forwards too: Exchange.forward(cut))
 *                  ▼
 *   Exchange.forward(): count each ACT decision (bandwidth, field faults, message faults) ─► translator.forward
 *                  │        per-message faults are counted as they happen: Exchange.injected(type)
 *                  ▼
 *   Exchange.end(status, outcome, failed), once ─► guards: permits back, breakers told the outcome
 *                  ─► requestCompleted ─► exchangeCompleted(ExchangeRecord) if a fault touched it
 * </pre>
 *
 * One runner serves one listener's verticle instance; each exchange stays on its event loop.
 */
public final class ExchangeRunner<C> {

  final Vertx vertx;
  final String listener;
  final String protocol;
  final ChaosListener events;
  final Translator<C> translator;
  final LongSupplier wallClockMs;
  private final ChaosState state;

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
  }

  public Translator<C> translator() {
    return translator;
  }

  /**
   * Decides exchange {@code call} on {@code route} (its name, null for the listener's own upstream),
   * which began at {@code startedNanos}. Returns null when chaos leaves it untouched: the caller forwards
   * it plainly and reports its end with {@link #untouched}. Otherwise returns the exchange, for the caller
   * to {@link Exchange#proceed()} once it is ready to be answered, and to {@link Exchange#end} when it ends.
   */
  public Exchange<C> start(C call, String route, long startedNanos) {
    ChaosSnapshot snapshot = state.snapshot();
    if (!snapshot.enabled()) {
      return events.recordsEveryExchange() ? exchange(call, route, startedNanos, Verdict.PASS, null, true) : null;
    }
    RequestFacts facts = translator.facts(call, route);
    Verdict verdict = snapshot.decide(facts);
    if (verdict == Verdict.PASS) {
      return events.recordsEveryExchange() ? exchange(call, route, startedNanos, verdict, facts, true) : null;
    }
    return exchange(call, route, startedNanos, verdict, facts, events.recordsEveryExchange());
  }

  /**
   * An exchange {@link #start} left untouched that chaos reached later (a tcp connection given a toxic
   * while it is open): from now on its faults are counted and it is recorded like any other. Its verdict
   * is {@link Verdict#PASS}; the caller never proceeds it, and ends it with {@link Exchange#end}.
   */
  public Exchange<C> late(C call, String route, long startedNanos) {
    return exchange(call, route, startedNanos, Verdict.PASS, null, events.recordsEveryExchange());
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

  /** A route's metric label: its name, {@code default} for the listener's own upstream (a null name). */
  public static String label(String route) {
    return route == null ? "default" : route;
  }
}
