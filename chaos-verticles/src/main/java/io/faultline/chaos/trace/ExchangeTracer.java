package io.faultline.chaos.trace;

import io.faultline.chaos.engine.RequestFacts;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/**
 * Makes the span of each exchange: one per exchange, begun when a listener hands it to the
 * {@link io.faultline.chaos.exchange.ExchangeRunner} and ended with what happened to it.
 *
 * <p>A tracer is installed as its Vert.x instance's tracer (a {@code VertxTracer} that is also an
 * {@code ExchangeTracer}: the gateway's traces Vert.x's upstream calls too), and each runner finds it there
 * with {@link #of}: no protocol passes it along, a protocol added later is traced as it is, and a Vert.x
 * with no tracer costs a runner one null check per exchange.
 */
public interface ExchangeTracer {

  /**
   * Begins the span of an exchange of {@code protocol} on {@code listener}'s {@code route} (its label:
   * {@code default} for the listener's own upstream) that arrived at {@code startedNanos}
   * ({@link System#nanoTime()}), continuing the trace of the client's {@code traceparent} when
   * {@code facts} carries one. Called on the exchange's Vert.x context: when that context is the exchange's
   * own (an HTTP request's, a gRPC call's), upstream calls Vert.x makes from it become the span's children.
   */
  ExchangeSpan begin(String listener, String protocol, String route, RequestFacts facts, long startedNanos);

  /** The exchange tracer installed on {@code vertx}, or null when it traces no exchanges. */
  static ExchangeTracer of(Vertx vertx) {
    return vertx instanceof VertxInternal internal && internal.tracer() instanceof ExchangeTracer tracer ? tracer : null;
  }
}
