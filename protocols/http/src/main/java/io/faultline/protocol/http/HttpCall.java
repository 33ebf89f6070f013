package io.faultline.protocol.http;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
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
  /**
   * The context the request came in on (its own, duplicated): a traced exchange's span is attached there, so the
   * upstream call's client span is made from it, also when the call is sent from elsewhere (after a kill switch's
   * release, or again after a kept-alive connection failed it).
   */
  final ContextInternal origin = ContextInternal.current();
  Exchange<HttpCall> exchange;
  ProxyContext context;
  /** An untouched exchange has been counted (it is counted once its answer's fate is known). */
  boolean counted;
  /**
   * The answer was broken off on the upstream's side while the client was there: the upstream failed
   * mid-answer, or chaos cut it. An answer that did not end otherwise lost its client, which is no failure
   * of the upstream's (a circuit breaker does not count it).
   */
  boolean brokenOff;
  /** Sent again once, on a new connection, after a kept-alive one failed it before any answer (see PlainForward). */
  boolean retried;
  /** The upstream request of a call proxied through the interceptor chain, once its origin made it. */
  io.vertx.core.http.HttpClientRequest upstream;
  /** {@link #upstream} went out on a connection that had carried a request before (a kept-alive one). */
  boolean upstreamReused;

  /**
   * A piece of the body went upstream through the interceptor chain: the route timeout (Vert.x's idle timeout
   * there, which only the answer's data resets) starts again, so a slow upload is not taken for a slow upstream.
   */
  void bodyProgress() {
    // not once the answer's head is in: the route timeout is over then, as Vert.x ends it
    if (upstream != null && route.timeoutMs() > 0 && !upstream.response().isComplete()) {
      upstream.idleTimeout(route.timeoutMs());
    }
  }

  HttpCall(HttpServerRequest request, RouteTable.Route route, long startedNanos) {
    this.request = request;
    this.route = route;
    this.startedNanos = startedNanos;
  }

  /**
   * Counts this exchange, which chaos left untouched and whose answer starts with {@code status} now, once
   * its fate is known: answered when the answer ends, dropped when the connection is lost first (the client
   * left mid-answer, or the upstream broke off); its duration is to this start. Counted at once, as
   * answered, a client that left mid-answer was 2xx with chaos off and dropped with it on. Called on the
   * answer's end, and on its close where nothing else handles that.
   */
  Handler<Void> countAtEnd(ExchangeRunner<HttpCall> runner, String label, HttpServerResponse response, int status) {
    long answered = System.nanoTime();
    return v -> {
      if (!counted) {
        counted = true;
        // ended: the whole answer was handed over. Not "and not closed": an HTTP/2 stream can close inside the
        // write of its last frame, before Vert.x calls the end handler, and 0.3-0.5% of complete answers over TLS
        // were counted dropped
        runner.untouched(label, startedNanos, answered, response.ended() ? ChaosListener.outcome(status) : "dropped");
      }
    };
  }

  /** The client left before its answer: this untouched exchange is counted dropped now, unless it was already counted. */
  void countDropped(ExchangeRunner<HttpCall> runner, String label) {
    if (!counted) {
      counted = true;
      runner.untouched(label, startedNanos, "dropped");
    }
  }
}
