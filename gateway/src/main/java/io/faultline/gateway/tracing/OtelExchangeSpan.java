package io.faultline.gateway.tracing;

import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.trace.ExchangeSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.MultiMap;

/**
 * One exchange's OpenTelemetry span: its attributes say what chaos did ({@link ExchangeAttributes}), and
 * its status is an error when a fault answered the exchange (described by the fault's type and status)
 * or when it failed (a server error or a lost connection).
 */
final class OtelExchangeSpan implements ExchangeSpan {

  private final Span span;
  /** Takes the span off the exchange's Vert.x context; null when it was not put there. */
  private final Scope scope;
  private final TextMapPropagator propagator;

  OtelExchangeSpan(Span span, Scope scope, TextMapPropagator propagator) {
    this.span = span;
    this.scope = scope;
    this.propagator = propagator;
  }

  @Override
  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  @Override
  public void inject(MultiMap headers) {
    propagator.inject(Context.root().with(span), headers, MultiMap::set);
  }

  @Override
  public void end(ExchangeRecord record, Terminal injected, boolean failed) {
    if (scope != null) {
      scope.close();
    }
    if (span.isRecording()) {
      span.setAttribute(ExchangeAttributes.FAULTS, record.faults());
      span.setAttribute(ExchangeAttributes.INJECTED_DELAY_MS, record.injectedDelayMs());
      span.setAttribute(ExchangeAttributes.OUTCOME, record.outcome());
      span.setAttribute(ExchangeAttributes.STATUS, (long) record.status());
      if (injected != null) {
        span.setAttribute(ExchangeAttributes.INJECTED_ERROR, injected.type());
        // the status the client saw, in its protocol's terms (a gRPC status code, not the HTTP one it maps to)
        span.setStatus(StatusCode.ERROR, "injected " + injected.type() + (record.status() > 0 ? " (" + record.status() + ")" : ""));
      } else if (failed) {
        span.setStatus(StatusCode.ERROR, record.outcome());
      }
    }
    span.end();
  }
}
