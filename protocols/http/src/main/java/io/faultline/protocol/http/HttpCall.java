package io.faultline.protocol.http;

import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.ProxyContext;

/**
 * One HTTP request on its way through the listener: the client's request, its route (null when none
 * matches), when it arrived, the exchange chaos made of it (null when chaos left it untouched) and, once
 * the interceptor chain runs it, its proxy context. Used on one event loop.
 */
final class HttpCall {

  final HttpServerRequest request;
  final RouteTable.Route route;
  final long startedNanos;
  Exchange<HttpCall> exchange;
  ProxyContext context;
  /** An untouched exchange has been counted (it is counted once its answer's fate is known). */
  boolean counted;

  HttpCall(HttpServerRequest request, RouteTable.Route route, long startedNanos) {
    this.request = request;
    this.route = route;
    this.startedNanos = startedNanos;
  }
}
