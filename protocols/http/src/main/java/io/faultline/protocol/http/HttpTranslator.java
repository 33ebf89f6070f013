package io.faultline.protocol.http;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.function.Consumer;

/**
 * What the exchange lifecycle looks like on an HTTP listener: injected answers are a status and a JSON
 * body ({@link HttpDecisions}), timeouts hold the request then reset it, connection errors reset it, and a
 * cut response is sent in part ({@link ChaosInterceptor#handleProxyResponse}). The proxy's answer to a call
 * is completed through the promise under {@link #ANSWER}.
 */
final class HttpTranslator implements Translator<HttpCall> {

  /** The promise a call's answer completes: the interceptor returns its future to the proxy. */
  static final String ANSWER = "faultline.answer";

  private final Vertx vertx;
  private final String listener;
  private final Consumer<HttpCall> plain;

  /** {@code plain} forwards the calls that came without the chain ({@link PlainForward#run}). */
  HttpTranslator(Vertx vertx, String listener, Consumer<HttpCall> plain) {
    this.vertx = vertx;
    this.listener = listener;
    this.plain = plain;
  }

  /**
   * Ends {@code exchange} when {@code response} has been sent, or drops it when the connection is lost first:
   * a failure when the answer was {@link HttpCall#brokenOff broken off} on the upstream's side, not when its
   * client left.
   */
  static void endWithAnswer(Exchange<HttpCall> exchange, HttpServerResponse response) {
    // HTTP/1 calls endHandler (then closeHandler) when the connection is lost too: not ended means it broke off.
    // An HTTP/2 stream can close inside the write of its last frame, before the end handler: ended then too.
    Handler<Void> over = v -> {
      if (response.ended()) {
        exchange.end(response.getStatusCode());
      } else {
        exchange.drop(exchange.call().brokenOff);
      }
    };
    response.endHandler(over);
    response.closeHandler(over);
  }

  @Override
  public RequestFacts facts(HttpCall call, String route) {
    return new ServerRequestFacts(listener, "http", route, call.request);
  }

  @Override
  public boolean gone(HttpCall call) {
    return call.request.response().closed();
  }

  @Override
  public void forward(Exchange<HttpCall> exchange) {
    ProxyContext context = exchange.call().context;
    if (context == null) {
      plain.accept(exchange.call());
      return;
    }
    ProxyRequest request = context.request();
    Body body = request.getBody();
    long bps = exchange.verdict().throttleBps();
    if (bps > 0 && body != null) {
      // each paced chunk, as it goes upstream, restarts the route timeout: counted from the piece's read from the client, a
      // piece that took longer than the timeout to pace was answered 504 while it was still being sent
      request.setBody(Body.body(RouteInterceptor.progressing(exchange.paced(body.stream(), bps), exchange.call()), body.length(),
          body.mediaType()));
    }
    RouteInterceptor.send(context).onComplete(answer(context));
  }

  @Override
  public void httpError(Exchange<HttpCall> exchange, Terminal.HttpError error) {
    fault(exchange, error, "injected fault", 0);
  }

  @Override
  public void rateLimited(Exchange<HttpCall> exchange, Terminal.RateLimited limited) {
    fault(exchange, limited, "rate limit exceeded", limited.retryAfterSeconds());
  }

  @Override
  public void breakerOpen(Exchange<HttpCall> exchange, Terminal.BreakerOpen open) {
    fault(exchange, open, "circuit breaker open", 0);
  }

  @Override
  public void bulkheadFull(Exchange<HttpCall> exchange, Terminal.BulkheadFull full) {
    fault(exchange, full, "bulkhead full", 0);
  }

  @Override
  public void status(Exchange<HttpCall> exchange, Terminal.Status status) {
    fault(exchange, status, status.message() != null ? status.message() : "injected fault", 0); // grpc_status_message, as gRPC answers it
  }

  @Override
  public void graphQlError(Exchange<HttpCall> exchange, Terminal.GraphQlError error) {
    fault(exchange, error, error.message(), 0); // decided only for GraphQL operations: not on this listener
  }

  @Override
  public void timeout(Exchange<HttpCall> exchange, Terminal.Timeout timeout) {
    ProxyContext context = exchange.call().context;
    HttpServerResponse response = context.request().proxiedRequest().response();
    // held, body unread, so that switching chaos off can still send it upstream
    exchange.hold(timeout.ms(), () -> {
      HttpDecisions.release(context.request());
      // a failure for a circuit breaker, as a real upstream's silence is: closing runs the answer's end handler first
      // (endWithAnswer's, set when the chain began), which read the drop as the client's leaving and counted nothing
      exchange.call().brokenOff = true;
      Aborts.abort(response);
    });
    response.closeHandler(v -> exchange.drop(true));
  }

  @Override
  public void reset(Exchange<HttpCall> exchange, Terminal.Reset reset) {
    ProxyContext context = exchange.call().context;
    HttpDecisions.release(context.request());
    Aborts.abort(context.request().proxiedRequest().response());
    exchange.drop(true);
  }

  @Override
  public void cut(Exchange<HttpCall> exchange, Terminal.Cut cut) {
    exchange.forward(cut);
  }

  @Override
  public void upstreamDown(HttpCall call, String upstream, Throwable cause) {
    ProxyContext context = call.context;
    answer(context).complete(HttpDecisions.upstreamFailure(context.request(), 502, upstream, cause));
  }

  @Override
  public void upstreamTooSlow(HttpCall call, String upstream, Throwable cause) {
    ProxyContext context = call.context;
    answer(context).complete(HttpDecisions.upstreamFailure(context.request(), 504, upstream, cause));
  }

  private void fault(Exchange<HttpCall> exchange, Terminal terminal, String message, long retryAfterSeconds) {
    ProxyContext context = exchange.call().context;
    answer(context).complete(HttpDecisions.fault(context.request(), terminal.type(), terminal.httpStatus(), message, retryAfterSeconds));
  }

  @SuppressWarnings("unchecked")
  private static Promise<ProxyResponse> answer(ProxyContext context) {
    return context.get(ANSWER, Promise.class);
  }
}
