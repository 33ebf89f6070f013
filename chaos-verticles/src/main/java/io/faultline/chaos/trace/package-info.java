/**
 * Tracing of exchanges, bound from outside like the metrics: the {@link io.faultline.chaos.exchange.ExchangeRunner}
 * begins one {@link io.faultline.chaos.trace.ExchangeSpan} per exchange and ends it with what happened to the
 * exchange; an {@link io.faultline.chaos.trace.ExchangeTracer} (the gateway's, on OpenTelemetry) makes the spans.
 * Nothing here depends on a tracing library.
 */
package io.faultline.chaos.trace;
