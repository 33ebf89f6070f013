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
  /** When the client's 101 went ({@link System#nanoTime}; 0: not yet): a connection's duration is to it, not to its close. */
  private long upgradedNanos;

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

  /** The client's 101 went: the response started (the connection's duration is measured to here). */
  void upgraded() {
    upgradedNanos = System.nanoTime();
    if (exchange != null) {
      exchange.responding(101, upgradedNanos);
      exchange.opened();
    }
  }

  /** Chaos reached the connection after its handshake: {@code late} counts it from now on, its duration to the 101. */
  Exchange<Upgrade> reached(Exchange<Upgrade> late) {
    if (upgradedNanos != 0) {
      late.responding(101, upgradedNanos);
    }
    return late;
  }

  /** Ends the exchange: {@code status} is what the client got (101 once upgraded, 0 for none). */
  void end(int status, String outcome, boolean failed) {
    if (exchange != null) {
      exchange.end(status, outcome, failed);
    } else if (upgradedNanos != 0) {
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, upgradedNanos, outcome);
    } else {
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, outcome);
    }
  }
}
