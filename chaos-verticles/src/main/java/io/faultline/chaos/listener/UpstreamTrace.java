package io.faultline.chaos.listener;

import io.vertx.core.MultiMap;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;

/**
 * The client span of an exchange on an {@link UpstreamChannel}, made through the node's Vert.x tracer as Vert.x's HTTP
 * client makes one for its requests: a child of the span in force in the exchange's context (the exchange's own), with
 * the request's {@code url.full} and {@code http.request.method} and the answer's {@code http.response.status_code}; its
 * trace context goes upstream in the request's headers. It ends when the answer has come whole, or the exchange failed.
 */
public final class UpstreamTrace {

  private static final TagExtractor<Request> REQUEST_TAGS = new TagExtractor<>() {
    @Override
    public int len(Request request) {
      return 2;
    }

    @Override
    public String name(Request request, int index) {
      return index == 0 ? "url.full" : "http.request.method";
    }

    @Override
    public String value(Request request, int index) {
      return index == 0 ? request.url() : request.method;
    }
  };

  private static final TagExtractor<Integer> ANSWER_TAGS = new TagExtractor<>() {
    @Override
    public int len(Integer status) {
      return 1;
    }

    @Override
    public String name(Integer status, int index) {
      return "http.response.status_code";
    }

    @Override
    public String value(Integer status, int index) {
      return Integer.toString(status);
    }
  };

  /** A request as its span's tags read it: its URL is made only then (a context without a trace makes no span). */
  private record Request(UpstreamChannel channel, String target, String method) {
    String url() {
      return channel.scheme() + "://" + channel.authority() + target;
    }
  }

  private final ContextInternal context;
  private final VertxTracer<Object, Object> tracer;
  private final Object span;
  private boolean ended;

  private UpstreamTrace(ContextInternal context, VertxTracer<Object, Object> tracer, Object span) {
    this.context = context;
    this.tracer = tracer;
    this.span = span;
  }

  /**
   * Starts the client span of a request ({@code method} for {@code target} on {@code channel}'s upstream) sent from
   * {@code context} (the exchange's, taken where the exchange runs), and puts its trace context in {@code headers}; null
   * (and nothing made) when the node traces nothing, or the context carries no trace.
   */
  @SuppressWarnings("unchecked")
  public static UpstreamTrace start(ContextInternal context, UpstreamChannel channel, String method, String target, MultiMap headers) {
    VertxTracer<Object, Object> tracer = context == null ? null : (VertxTracer<Object, Object>) context.tracer();
    if (tracer == null) {
      return null;
    }
    Object span = tracer.sendRequest(context, SpanKind.RPC, TracingPolicy.PROPAGATE, new Request(channel, target, method), method, headers::add,
        REQUEST_TAGS);
    return span == null ? null : new UpstreamTrace(context, tracer, span);
  }

  /** The answer, of {@code status}, came whole. */
  public void answered(int status) {
    if (!ended) {
      ended = true;
      tracer.receiveResponse(context, status, span, null, ANSWER_TAGS);
    }
  }

  /** The exchange failed before its answer came whole. */
  public void failed(Throwable cause) {
    if (!ended) {
      ended = true;
      tracer.receiveResponse(context, null, span, cause, TagExtractor.empty());
    }
  }
}
