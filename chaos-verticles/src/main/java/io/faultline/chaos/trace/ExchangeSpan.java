package io.faultline.chaos.trace;

import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ExchangeRecord;
import io.vertx.core.MultiMap;

/** The span of one exchange, from its {@link ExchangeTracer#begin} to its {@link #end}. Used on the exchange's event loop. */
public interface ExchangeSpan {

  /** The W3C trace id of the span (the client's when it sent a {@code traceparent}). */
  String traceId();

  /** Sets the span's W3C trace context ({@code traceparent}, {@code tracestate}) in {@code headers}. */
  void inject(MultiMap headers);

  /**
   * Ends the span with what happened to the exchange: {@code record} (status, outcome, faults applied,
   * injected delay), the fault that answered it instead of the upstream ({@code injected}, null when none)
   * and whether it {@code failed} (a server error or a lost connection).
   */
  void end(ExchangeRecord record, Terminal injected, boolean failed);
}
