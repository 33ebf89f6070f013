package io.faultline.gateway.tracing;

import io.faultline.chaos.engine.OperationFacts;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.trace.ExchangeSpan;
import io.faultline.chaos.trace.ExchangeTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The node's Vert.x tracer. Upstream calls are traced through it as client spans under the exchange's span, whose
 * {@code traceparent} goes upstream, by vertx-opentelemetry's tracer: Vert.x's HTTP client makes them for gRPC and
 * for HTTP exchanges through the interceptor chain, and the Netty-codec upstream connections of HTTP's plain path
 * and of GraphQL make the same through it ({@code UpstreamTrace}). The server side is the exchange runner's: each exchange gets one span
 * ({@link #begin}), from its arrival to its end, which Vert.x's server span could not be (it ends when a
 * WebSocket's 101 is sent, and before the lifecycle learns how an HTTP exchange ended). So Vert.x's own
 * server and event-bus spans are not made: an admin API call or an event-bus message is no trace.
 */
final class GatewayTracer implements VertxTracer<Object, Object>, ExchangeTracer {

  /** Reads the client's trace context from the exchange's facts (its headers or gRPC metadata). */
  private static final TextMapGetter<RequestFacts> FACTS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(RequestFacts facts) {
      return List.of(); // only needed by propagators that take any header (baggage), not W3C trace context
    }

    @Override
    public String get(RequestFacts facts, String key) {
      if (facts == null) {
        return null;
      }
      // a header sent on several lines is one list (W3C Trace Context 3.3.1: tracestate's lines are combined; two
      // traceparent lines so combined are no valid one, and a new trace starts, as the spec asks)
      List<String> lines = facts.headers(key);
      return lines.isEmpty() ? null : lines.size() == 1 ? lines.get(0) : String.join(",", lines);
    }
  };

  private final VertxTracer<Object, Object> upstreamCalls;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  @SuppressWarnings("unchecked")
  GatewayTracer(VertxTracer<?, ?> upstreamCalls, OpenTelemetry openTelemetry) {
    this.upstreamCalls = (VertxTracer<Object, Object>) upstreamCalls;
    this.tracer = openTelemetry.getTracer("io.faultline");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  @Override
  public <R> Object sendRequest(io.vertx.core.Context context, io.vertx.core.spi.tracing.SpanKind kind, TracingPolicy policy,
      R request, String operation, BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
    return kind == io.vertx.core.spi.tracing.SpanKind.RPC
        ? upstreamCalls.sendRequest(context, kind, policy, request, operation, headers, tagExtractor) : null;
  }

  @Override
  public <R> void receiveResponse(io.vertx.core.Context context, R response, Object payload, Throwable failure,
      TagExtractor<R> tagExtractor) {
    if (payload != null) {
      upstreamCalls.receiveResponse(context, response, payload, failure, tagExtractor);
    }
  }

  @Override
  public ExchangeSpan begin(String listener, String protocol, String route, RequestFacts facts, long startedNanos) {
    Context parent = propagator.extract(Context.root(), facts, FACTS);
    SpanBuilder builder = tracer.spanBuilder(protocol + " " + listener + "/" + route)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(Instant.now().minusNanos(Math.max(0, System.nanoTime() - startedNanos)))
        .setAttribute(ExchangeAttributes.LISTENER, listener)
        .setAttribute(ExchangeAttributes.PROTOCOL, protocol)
        .setAttribute(ExchangeAttributes.ROUTE, route);
    if (facts.method() != null) {
      builder.setAttribute(ExchangeAttributes.METHOD, facts.method());
    }
    if (facts.path() != null) {
      builder.setAttribute(ExchangeAttributes.PATH, facts.path());
    }
    OperationFacts operation = facts.operation();
    if (operation != null) {
      builder.setAttribute(ExchangeAttributes.OPERATION_TYPE, operation.type());
      if (operation.name() != null) {
        builder.setAttribute(ExchangeAttributes.OPERATION_NAME, operation.name());
      }
    }
    Span span = builder.startSpan();
    return new OtelExchangeSpan(span, attach(parent.with(span)), propagator);
  }

  /**
   * Makes {@code traced} the trace context of the calling Vert.x context when that context is the exchange's
   * own (a request's or a call's duplicate, with no trace context yet), so the upstream calls made from it
   * are children of the exchange's span; answers how to take it off again, or null. Exchanges that share a
   * context (several GraphQL subscriptions on one connection) keep their spans but do not parent calls.
   */
  private static Scope attach(Context traced) {
    ContextInternal context = ContextInternal.current();
    if (context == null || !context.isDuplicate() || VertxContextStorage.INSTANCE.current() != null) {
      return null;
    }
    return VertxContextStorage.INSTANCE.attach(context, traced);
  }
}
