package io.faultline.protocol.http;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * The outermost interceptor: picks the route, adds the {@code X-Forwarded-*} headers, prefixes the
 * upstream's base path, and has the translator answer a failed upstream call (502 unreachable, 504 too
 * slow). Exchanges chaos left untouched are counted here when their response starts.
 */
final class RouteInterceptor implements ProxyInterceptor {

  static final String ROUTE = "faultline.route";
  static final String STARTED = "faultline.started";

  private final RouteTable routes;
  private final ExchangeRunner<ProxyContext> runner;

  RouteInterceptor(RouteTable routes, ExchangeRunner<ProxyContext> runner) {
    this.routes = routes;
    this.runner = runner;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Future<Void> handleProxyResponse(ProxyContext context) {
    int status = context.response().getStatusCode();
    if (context.request().proxiedRequest().version() == io.vertx.core.http.HttpVersion.HTTP_2) {
      // HTTP/2 forbids connection-specific fields (RFC 9113 8.2.2): an HTTP/1.1 upstream's own would make
      // the client reset the stream with PROTOCOL_ERROR
      io.vertx.core.MultiMap headers = context.response().headers();
      headers.remove("connection").remove("keep-alive").remove("proxy-connection").remove("upgrade").remove("transfer-encoding");
    }
    Exchange<ProxyContext> exchange = context.get(ChaosInterceptor.EXCHANGE, Exchange.class);
    if (exchange != null) {
      exchange.responding(status);
      return context.sendResponse();
    }
    RouteTable.Route route = context.get(ROUTE, RouteTable.Route.class);
    String label = route == null ? "none" : ExchangeRunner.label(route.name());
    long started = context.get(STARTED, Long.class);
    if (status < 500) {
      runner.untouched(label, started, ChaosListener.outcome(status));
    } else {
      // A server error may be the answer to a call cut because its client left (the client's close reaches the
      // proxy before the response knows it is closed): count it once its fate is known. Only error answers
      // pay for the handlers.
      HttpServerResponse response = context.request().proxiedRequest().response();
      boolean[] counted = {false};
      Runnable count = () -> {
        if (!counted[0]) {
          counted[0] = true;
          runner.untouched(label, started, response.ended() && !response.closed() ? ChaosListener.outcome(status) : "dropped");
        }
      };
      response.endHandler(v -> count.run());
      response.closeHandler(v -> count.run());
    }
    return context.sendResponse();
  }

  @SuppressWarnings("unchecked")
  private void clientLeft(ProxyContext context, RouteTable.Route route) {
    Exchange<ProxyContext> exchange = context.get(ChaosInterceptor.EXCHANGE, Exchange.class);
    if (exchange != null) {
      exchange.drop(false);
    } else {
      runner.untouched(ExchangeRunner.label(route.name()), context.get(STARTED, Long.class), "dropped");
    }
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    ProxyRequest request = context.request();
    context.set(STARTED, System.nanoTime());
    RouteTable.Route route = routes.select(request.proxiedRequest());
    if (route == null) {
      return Future.succeededFuture(HttpDecisions.noRoute(request));
    }
    context.set(ROUTE, route);
    ForwardedHeaders.apply(request.headers(), request.proxiedRequest());
    if (!route.upstream().basePath().isEmpty()) {
      request.setURI(route.upstream().basePath() + request.getURI());
    }
    return context.sendRequest().recover(failure -> {
      if (runner.translator().gone(context)) {
        // the client left first (which is why the upstream call was cut): nobody to answer, and not the upstream's failure
        clientLeft(context, route);
        return Promise.<ProxyResponse>promise().future();
      }
      Promise<ProxyResponse> answer = Promise.promise();
      context.set(HttpTranslator.ANSWER, answer);
      runner.translator().upstreamFailed(context, route.upstream().toString(), failure);
      return answer.future();
    });
  }
}
