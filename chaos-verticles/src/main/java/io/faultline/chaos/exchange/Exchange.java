package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Guard;
import io.faultline.chaos.engine.OperationFacts;
import io.faultline.chaos.engine.Outcome;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.trace.ExchangeSpan;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One exchange chaos touched, as the {@link ExchangeRunner} carries it: the protocol's {@link #call()},
 * its verdict, and what happened so far. Used on one event loop, so it is not thread-safe.
 */
public final class Exchange<C> {

  private final ExchangeRunner<C> runner;
  private final C call;
  private final String route;
  private final RequestFacts facts;
  private final Verdict verdict;
  private final long startedNanos;
  private final boolean recordAlways;
  /** Null when the exchange is not traced. */
  private final ExchangeSpan span;
  /**
   * The request's own context, where its span is, when traced (else null): an exchange the kill switch releases is
   * sent from there, so its upstream call's client span continues the exchange's trace. Sent from the switch's
   * message, on the listener's base context, it carried no traceparent at all (gRPC, the HTTP interceptor chain).
   */
  private final io.vertx.core.internal.ContextInternal origin;
  private List<String> faults;
  private int admitted;
  private long timer = -1;
  private long injectedDelayMs;
  /** When the running delay began ({@link System#nanoTime()}), or 0 when no delay runs. */
  private long delayStartedNanos;
  private long respondedNanos;
  private int status;
  private Terminal answered;
  private Terminal.Cut cut;
  private boolean cutCounted;
  private boolean ended;
  private boolean released;
  /** True while the exchange waits for a guard's admission (a bulkhead permit): the kill switch reaches it there too. */
  private boolean waiting;
  /** The admission {@link #waiting} waits for, given up when the exchange ends or is released first. */
  private Future<Void> pending;

  Exchange(ExchangeRunner<C> runner, C call, String route, RequestFacts facts, Verdict verdict, long startedNanos,
      boolean recordAlways) {
    this.runner = runner;
    this.call = call;
    this.route = route;
    this.facts = facts;
    this.verdict = verdict;
    this.startedNanos = startedNanos;
    this.recordAlways = recordAlways;
    this.span = runner.tracer == null ? null : runner.tracer.begin(runner.listener, runner.protocol, route, facts, startedNanos);
    this.origin = span == null ? null : io.vertx.core.internal.ContextInternal.current();
  }

  public C call() {
    return call;
  }

  /** What chaos decided; after a {@link #release()} nothing ({@link Verdict#PASS}): the exchange goes on plainly. */
  public Verdict verdict() {
    return released ? Verdict.PASS : verdict;
  }

  /**
   * The cut to apply to the answer now beginning, or null: set by {@link #forward(Terminal.Cut)}. The cut
   * counts from here, once: a client that left, or an upstream that failed, before any answer was never cut
   * (it counted when decided: 4 clients that gave up on a slow upstream, 4 partial responses counted).
   */
  public Terminal.Cut cutting() {
    if (cut != null && !cutCounted) {
      cutCounted = true;
      injected(cut.type());
    }
    return cut;
  }

  public boolean ended() {
    return ended;
  }

  /**
   * Readies the headers of this exchange's upstream request (HTTP, gRPC, GraphQL): the trace context of the
   * upstream call's client span, a child of this exchange's span, is added to them as the request goes (by
   * Vert.x's HTTP client, or {@code UpstreamTrace}), so a traced exchange drops the client's own (the upstream
   * would get two {@code traceparent}s, and take the client's). Untraced, the client's trace context is
   * forwarded as it came.
   */
  public void clearTraceContext(MultiMap headers) {
    if (span != null) {
      headers.remove(TraceParent.HEADER);
      headers.remove(TraceParent.STATE_HEADER);
    }
  }

  /**
   * Readies the headers of an upstream call Vert.x does not trace (a WebSocket handshake): a traced
   * exchange's span's trace context replaces the client's. Untraced, the client's is forwarded as it came.
   */
  public void setTraceContext(MultiMap headers) {
    if (span != null) {
      clearTraceContext(headers);
      span.inject(headers);
    }
  }

  /** Runs the lifecycle: admits the guards, waits out the delay, then ends the exchange or forwards it. */
  public void proceed() {
    admit();
  }

  private void admit() {
    if (admitted == verdict.guards()) {
      delay();
      return;
    }
    Guard guard = verdict.guard(admitted);
    Future<Void> admission = guard.admit(runner.vertx.getOrCreateContext());
    if (!admission.isComplete()) {
      waiting = true;
      pending = admission;
      runner.held(this, true);
    }
    admission.onComplete(ar -> {
      pending = null;
      if (waiting) {
        waiting = false;
        runner.held(this, false);
      }
      if (ar.failed()) {
        if (!ended && !released) {
          answer(guard.refusal());
        }
      } else if (ended || released) {
        guard.release(); // the exchange ended, or went on without it, while it waited: end() cannot give this back
      } else {
        admitted++;
        admit();
      }
    });
  }

  private void delay() {
    long ms = verdict.delayMs();
    if (ms <= 0) {
      act();
      return;
    }
    count(Decision.Stage.DELAY);
    runner.held(this, true);
    delayStartedNanos = System.nanoTime();
    timer = runner.vertx.setTimer(ms, id -> {
      timer = -1;
      runner.held(this, false);
      delayed(ms);
      act();
    });
  }

  /**
   * The delay is over, run whole or cut short (the kill switch, the exchange's end): the {@code ms} it
   * really added are what the metrics, the recorder and the span report.
   */
  private void delayed(long ms) {
    delayStartedNanos = 0;
    injectedDelayMs = ms;
    runner.events.latencyInjected(runner.listener, runner.protocol, route, ms);
  }

  /**
   * Holds the exchange {@code ms} (a timeout fault's hold), then runs {@code expire}; switching chaos off
   * meanwhile {@link #release() releases} it instead. Translators hold through here so the kill switch
   * reaches what they hold.
   */
  public void hold(long ms, Runnable expire) {
    runner.held(this, true);
    timer = runner.vertx.setTimer(Math.max(1, ms), id -> {
      timer = -1;
      runner.held(this, false);
      if (!ended) {
        expire.run();
      }
    });
  }

  /**
   * Chaos was switched off while this exchange was held (by a delay, a timeout's hold, or a wait for a
   * bulkhead's permit): it goes to its upstream now, with nothing of the verdict applied (the guards it
   * holds are still given back when it ends; a permit that comes later is given back at once).
   */
  void release() {
    if (ended || released || !holding()) {
      return;
    }
    released = true; // first: a wait for admission given up fails, and must not answer the exchange as refused
    stopHolding();
    answered = null;
    cut = null;
    io.vertx.core.internal.ContextInternal previous = origin == null ? null : origin.beginDispatch();
    try {
      if (runner.translator.gone(call)) {
        runner.translator.left(this);
      } else {
        runner.translator.forward(this);
      }
    } finally {
      if (origin != null) {
        origin.endDispatch(previous);
      }
    }
  }

  /**
   * A pacer for this exchange's bandwidth limit at {@code bytesPerSecond}: it stops pacing once chaos is
   * switched off, so the kill switch reaches a throttled transfer too, not only what is held.
   */
  public io.faultline.chaos.shaping.Pacer pacer(long bytesPerSecond) {
    return new io.faultline.chaos.shaping.Pacer(bytesPerSecond, System::nanoTime, runner::chaosOn);
  }

  /**
   * Whether chaos is on now (one volatile read): what a connection decided at its start (a WebSocket's
   * message faults) applies only while it is, so the kill switch reaches connections already open.
   */
  public boolean chaosOn() {
    return runner.chaosOn();
  }

  /** A body stream paced by {@link #pacer}. */
  public io.faultline.chaos.shaping.PacedReadStream paced(io.vertx.core.streams.ReadStream<io.vertx.core.buffer.Buffer> body,
      long bytesPerSecond) {
    return new io.faultline.chaos.shaping.PacedReadStream(runner.vertx, body, pacer(bytesPerSecond), System::nanoTime);
  }

  /** Whether a delay, a timeout's hold or a wait for a guard's admission holds this exchange (what the kill switch releases). */
  private boolean holding() {
    return timer >= 0 || waiting;
  }

  /** Lets go of what holds it: its timer cancelled, its wait for admission forgotten, off the runner's held list. */
  private void stopHolding() {
    if (timer >= 0) {
      runner.vertx.cancelTimer(timer);
      timer = -1;
      if (delayStartedNanos != 0) { // cut short
        delayed(Math.min(verdict.delayMs(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delayStartedNanos)));
      }
    }
    boolean wasWaiting = waiting;
    waiting = false;
    runner.held(this, false);
    if (wasWaiting && pending != null) {
      Future<Void> given = pending;
      pending = null;
      verdict.guard(admitted).cancel(given); // its place in the queue is free now, not at its timeout (it fails: nothing more to do)
    }
  }

  private void act() {
    if (ended) {
      return;
    }
    if (runner.translator.gone(call)) {
      runner.translator.left(this);
      return;
    }
    Terminal terminal = verdict.terminal();
    if (terminal != null) {
      answer(terminal);
    } else {
      forward();
    }
  }

  private void answer(Terminal terminal) {
    answered = terminal;
    if (!(terminal instanceof Terminal.Cut)) {
      injected(terminal.type()); // a cut counts when it is applied: in the translator's cut, or by cutting()
    }
    terminal.applyTo(runner.translator, this);
  }

  /** Sends the exchange upstream with its modifiers, counting each. */
  public void forward() {
    count(Decision.Stage.ACT);
    runner.translator.forward(this);
  }

  /** Sends the exchange upstream with its modifiers, its response to be cut as {@code cut} says (a translator's {@code cut}). */
  public void forward(Terminal.Cut cut) {
    this.cut = cut;
    forward();
  }

  private void count(Decision.Stage stage) {
    for (int i = 0; i < verdict.size(); i++) {
      Decision decision = verdict.decision(i);
      // a cut is the terminal already counted by answer(), then forwarded: not counted a second time
      if (decision.stage() == stage && decision.type() != null && decision != answered) {
        injected(decision.type());
      }
    }
  }

  /** Counts a fault of {@code type} applied to this exchange (per-message faults report themselves here). */
  public void injected(String type) {
    runner.events.faultInjected(runner.listener, runner.protocol, route, type);
    if (faults == null) {
      faults = new ArrayList<>(2);
    }
    if (!faults.contains(type)) {
      faults.add(type);
    }
  }

  /** Whether a fault of {@code type} was counted for this exchange already. */
  public boolean counted(String type) {
    return faults != null && faults.contains(type);
  }

  /** The response starts with {@code status} (the gRPC status code on gRPC): the duration is measured to here. */
  public void responding(int status) {
    responding(status, System.nanoTime());
  }

  /** As {@link #responding(int)}, the response having started at {@code nanos} ({@link System#nanoTime}). */
  public void responding(int status, long nanos) {
    if (respondedNanos == 0) {
      respondedNanos = nanos;
      this.status = status;
    }
  }

  /**
   * A long-lived connection's opening succeeded (a WebSocket's 101, a tcp connection's upstream connected): its guards may
   * settle what they judge by the opening (a half-open breaker's probe) now, not at the connection's end.
   */
  public void opened() {
    if (!ended) {
      for (int i = 0; i < Math.min(admitted, verdict.guards()); i++) {
        verdict.guard(i).opened();
      }
    }
  }

  /** Ends an exchange answered with HTTP {@code status}: outcome by its class, failed when a server error. */
  public void end(int status) {
    end(status, io.faultline.chaos.event.ChaosListener.outcome(status), status >= 500);
  }

  /** Ends an exchange that lost its connection before a complete answer. */
  public void drop(boolean failed) {
    end(status, "dropped", failed);
  }

  /**
   * Ends the exchange, once (later calls do nothing): {@code status} is what the client got (0: none),
   * {@code outcome} as {@link io.faultline.chaos.event.ChaosListener#requestCompleted} takes it, and
   * {@code failed} whether it counts as a failure for a circuit breaker.
   */
  public void end(int status, String outcome, boolean failed) {
    if (ended) {
      return;
    }
    ended = true;
    if (holding()) {
      stopHolding();
    }
    this.status = status;
    // neither a 4xx the gateway answered itself nor a client that left counts either way (a client that gave up on a
    // half-open breaker's probe closed it, as if the probe had succeeded)
    Outcome result = answered != null && answered.clientError() || !failed && "dropped".equals(outcome) ? Outcome.IGNORED
        : failed ? Outcome.FAILED : Outcome.SUCCEEDED;
    for (int i = 0; i < verdict.guards(); i++) {
      if (i < admitted) {
        verdict.guard(i).release();
      }
      verdict.guard(i).ended(result);
    }
    long duration = (respondedNanos != 0 ? respondedNanos : System.nanoTime()) - startedNanos;
    runner.events.requestCompleted(runner.listener, runner.protocol, route, outcome, duration);
    boolean recorded = faults != null || recordAlways;
    if (recorded || span != null) {
      ExchangeRecord record = record(outcome, duration);
      if (recorded) {
        runner.events.exchangeCompleted(record);
      }
      if (span != null) {
        span.end(record, answered, failed);
      }
    }
  }

  private ExchangeRecord record(String outcome, long duration) {
    OperationFacts operation = facts.operation();
    return new ExchangeRecord(runner.wallClockMs.getAsLong(), runner.listener, runner.protocol, route, facts.method(),
        io.faultline.chaos.engine.MatchPath.readable(facts.path()), operation == null ? null : operation.name(), status, outcome,
        faults, duration, injectedDelayMs,
        span != null ? span.traceId() : TraceParent.traceId(facts.header(TraceParent.HEADER)));
  }
}
