package io.faultline.protocol.http;

import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.Future;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.concurrent.TimeoutException;

/**
 * The outermost interceptor: picks the route, adds the {@code X-Forwarded-*} headers, prefixes the
 * upstream's base path, and turns a failed upstream call into 502 (unreachable) or 504 (too slow)
 * with a JSON body that names the upstream.
 */
final class RouteInterceptor implements ProxyInterceptor {

  static final String ROUTE = "faultline.route";
  /** The fault types applied to the exchange, in order (a list made only when a fault applies). */
  static final String FAULTS = "faultline.faults";
  private static final String STARTED = "faultline.started";

  private final RouteTable routes;
  private final String listener;
  private final ChaosListener events;

  RouteInterceptor(RouteTable routes, String listener, ChaosListener events) {
    this.routes = routes;
    this.listener = listener;
    this.events = events;
  }

  /** The route's name as a metric label: {@code default} for the listener's own upstream, {@code none} without a route. */
  static String label(RouteTable.Route route) {
    return route == null ? "none" : route.name() == null ? "default" : route.name();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    Long started = context.get(STARTED, Long.class);
    if (started != null) {
      events.requestCompleted(listener, "http", label(context.get(ROUTE, RouteTable.Route.class)),
          ChaosListener.outcome(context.response().getStatusCode()), System.nanoTime() - started);
      // Flight recorder feed (issue 18, minimal HTTP wiring until the exchange-lifecycle refactor takes it over).
      exchangeCompleted(events, listener, context, context.response().getStatusCode(),
          ChaosListener.outcome(context.response().getStatusCode()));
    }
    return context.sendResponse();
  }

  /** Reports the exchange to the flight recorder when a fault touched it, or when a listener records every exchange. */
  @SuppressWarnings("unchecked")
  static void exchangeCompleted(ChaosListener events, String listener, ProxyContext context, int status, String outcome) {
    java.util.List<String> faults = context.get(FAULTS, java.util.List.class);
    if (faults == null && !events.recordsEveryExchange()) {
      return;
    }
    Long started = context.get(STARTED, Long.class);
    Verdict verdict = context.get(ChaosInterceptor.VERDICT, Verdict.class);
    io.vertx.core.http.HttpServerRequest request = context.request().proxiedRequest();
    String traceparent = request.getHeader("traceparent");
    events.exchangeCompleted(new ExchangeRecord(System.currentTimeMillis(), listener, "http",
        label(context.get(ROUTE, RouteTable.Route.class)), request.method().name(), request.path(), null, status, outcome, faults,
        started == null ? 0 : System.nanoTime() - started, verdict == null ? 0 : verdict.delayMs(),
        traceparent != null && traceparent.length() >= 35 ? traceparent.substring(3, 35) : null));
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
      int status = failure instanceof TimeoutException ? 504 : 502;
      return Future.succeededFuture(HttpDecisions.upstreamFailure(request, status, route.upstream().toString(), failure));
    });
  }
}
