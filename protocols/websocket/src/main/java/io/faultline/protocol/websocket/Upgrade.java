package io.faultline.protocol.websocket;

import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.http.HttpServerRequest;

/**
 * One WebSocket upgrade and the connection it becomes: the exchange the chaos lifecycle runs, from the
 * handshake until the connection closes. {@link #exchange} is null when chaos left it untouched.
 */
final class Upgrade {

  final HttpServerRequest request;
  final RouteTable.Route route;
  final long startedNanos;
  private final ExchangeRunner<Upgrade> runner;
  Exchange<Upgrade> exchange;

  Upgrade(HttpServerRequest request, RouteTable.Route route, long startedNanos, ExchangeRunner<Upgrade> runner) {
    this.request = request;
    this.route = route;
    this.startedNanos = startedNanos;
    this.runner = runner;
  }

  /** Counts a fault of {@code type} on this connection (a per-message fault, as it happens). */
  void injected(String type) {
    if (exchange != null) {
      exchange.injected(type);
    }
  }

  /** Ends the exchange: {@code status} is what the client got (101 once upgraded, 0 for none). */
  void end(int status, String outcome, boolean failed) {
    if (exchange != null) {
      exchange.end(status, outcome, failed);
    } else {
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, outcome);
    }
  }
}
