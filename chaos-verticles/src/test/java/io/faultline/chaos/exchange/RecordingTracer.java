package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.trace.ExchangeSpan;
import io.faultline.chaos.trace.ExchangeTracer;
import io.vertx.core.MultiMap;
import io.vertx.core.spi.tracing.VertxTracer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An exchange tracer installed as a Vert.x instance's tracer, as the gateway's is: it keeps every span
 * it began, and what each was ended with.
 */
final class RecordingTracer implements VertxTracer<Object, Object>, ExchangeTracer {

  /** One span: how it began and, once ended, how. */
  static final class Span implements ExchangeSpan {
    final String listener;
    final String protocol;
    final String route;
    final String clientTraceparent;
    final String traceId;
    final AtomicInteger ends = new AtomicInteger();
    volatile ExchangeRecord record;
    volatile Terminal injected;
    volatile boolean failed;

    Span(String listener, String protocol, String route, String clientTraceparent, String traceId) {
      this.listener = listener;
      this.protocol = protocol;
      this.route = route;
      this.clientTraceparent = clientTraceparent;
      this.traceId = traceId;
    }

    @Override
    public String traceId() {
      return traceId;
    }

    @Override
    public void inject(MultiMap headers) {
      headers.set("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
    }

    @Override
    public void end(ExchangeRecord record, Terminal injected, boolean failed) {
      this.record = record;
      this.injected = injected;
      this.failed = failed;
      ends.incrementAndGet();
    }
  }

  final List<Span> spans = new CopyOnWriteArrayList<>();

  @Override
  public ExchangeSpan begin(String listener, String protocol, String route, RequestFacts facts, long startedNanos) {
    Span span = new Span(listener, protocol, route, facts.header("traceparent"), String.format("%032x", spans.size() + 1));
    spans.add(span);
    return span;
  }
}
