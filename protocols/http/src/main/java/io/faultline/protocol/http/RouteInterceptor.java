package io.faultline.protocol.http;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
    Exchange<ProxyContext> exchange = context.get(ChaosInterceptor.EXCHANGE, Exchange.class);
    if (exchange != null) {
      exchange.responding(status);
    } else {
      RouteTable.Route route = context.get(ROUTE, RouteTable.Route.class);
      runner.untouched(route == null ? "none" : ExchangeRunner.label(route.name()), context.get(STARTED, Long.class),
          ChaosListener.outcome(status));
    }
    return context.sendResponse();
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
      Promise<ProxyResponse> answer = Promise.promise();
      context.set(HttpTranslator.ANSWER, answer);
      runner.translator().upstreamFailed(context, route.upstream().toString(), failure);
      return answer.future();
    });
  }
}
