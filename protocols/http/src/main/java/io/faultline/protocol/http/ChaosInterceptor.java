package io.faultline.protocol.http;

import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.ServerRequestFacts;

import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.shaping.CutReadStream;
import io.faultline.chaos.shaping.PacedReadStream;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Applies the chaos engine's {@link Verdict} to one HTTP exchange.
 *
 * <pre>
 *  request ─► snapshot.enabled? ─no─► forward untouched (the plain-proxy path)
 *                 │ yes
 *                 ▼
 *           decide ─► bulkhead permit? ─refused─► 503
 *                 │
 *                 ▼
 *           delay (timer) ─► Fail ─► status + JSON, upstream never called
 *                            Timeout ─► hold, then close the connection
 *                            Reset ─► close the connection now
 *                            otherwise forward (request body paced if throttled)
 *                                 │
 *  response ◄─ paced body ◄─ cut body (Cut: part of it, then close) ◄─ upstream
 * </pre>
 *
 * When the exchange ends (response ended, or connection closed) the verdict is completed, which
 * releases the bulkhead permit and tells the breaker whether it failed.
 */
final class ChaosInterceptor implements ProxyInterceptor {

  static final String VERDICT = "faultline.verdict";

  /** For chunked bodies, whose length is unknown, a cut keeps this share of the first 16 KiB. */
  private static final long UNKNOWN_LENGTH_WINDOW = 16 * 1024;

  private static final Decision.Fail BULKHEAD_FULL = new Decision.Fail("bulkhead", 503, 0);

  private final Vertx vertx;
  private final String listener;
  private final ChaosState state;
  private final ChaosListener events;

  ChaosInterceptor(Vertx vertx, String listener, ChaosState state, ChaosListener events) {
    this.vertx = vertx;
    this.listener = listener;
    this.state = state;
    this.events = events;
  }

  @SuppressWarnings("unchecked")
  private void injected(ProxyContext context, String type) {
    events.faultInjected(listener, "http", RouteInterceptor.label(context.get(RouteInterceptor.ROUTE, RouteTable.Route.class)), type);
    // Flight recorder feed (issue 18): which faults touched this exchange.
    java.util.List<String> faults = context.get(RouteInterceptor.FAULTS, java.util.List.class);
    if (faults == null) {
      faults = new java.util.ArrayList<>(2);
      context.set(RouteInterceptor.FAULTS, faults);
    }
    faults.add(type);
  }

  private void dropped(ProxyContext context) {
    events.requestCompleted(listener, "http", RouteInterceptor.label(context.get(RouteInterceptor.ROUTE, RouteTable.Route.class)),
        "dropped", 0);
    RouteInterceptor.exchangeCompleted(events, listener, context, 0, "dropped"); // flight recorder feed (issue 18)
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    ChaosSnapshot snapshot = state.snapshot();
    if (!snapshot.enabled()) {
      return context.sendRequest();
    }
    ProxyRequest request = context.request();
    RouteTable.Route route = context.get(RouteInterceptor.ROUTE, RouteTable.Route.class);
    Verdict verdict = snapshot.decide(new ServerRequestFacts(listener, "http", route.name(), request.proxiedRequest()));
    if (verdict.isPass()) {
      return context.sendRequest();
    }
    context.set(VERDICT, verdict);
    HttpServerResponse response = request.proxiedRequest().response();
    // HTTP/1 calls endHandler (then closeHandler) when the connection is lost too: not ended means it failed.
    response.endHandler(v -> verdict.complete(!response.ended() || response.getStatusCode() >= 500));
    response.closeHandler(v -> verdict.complete(true));
    return verdict.admit(vertx.getOrCreateContext()).transform(admitted -> {
      if (admitted.failed()) {
        injected(context, BULKHEAD_FULL.fault());
        return Future.succeededFuture(HttpDecisions.fail(request, BULKHEAD_FULL));
      }
      if (response.closed()) {
        return Promise.<ProxyResponse>promise().future();
      }
      if (verdict.delayMs() <= 0) {
        return act(context, verdict);
      }
      injected(context, "latency");
      events.latencyInjected(listener, "http", RouteInterceptor.label(route), verdict.delayMs());
      Promise<ProxyResponse> delayed = Promise.promise();
      vertx.setTimer(verdict.delayMs(), id -> {
        if (response.closed()) {
          return;
        }
        act(context, verdict).onComplete(delayed);
      });
      return delayed.future();
    });
  }

  private Future<ProxyResponse> act(ProxyContext context, Verdict verdict) {
    ProxyRequest request = context.request();
    HttpServerResponse response = request.proxiedRequest().response();
    Decision terminal = verdict.terminal();
    if (terminal instanceof Decision.Fail fail) {
      injected(context, fail.fault());
      return Future.succeededFuture(HttpDecisions.fail(request, fail));
    }
    if (terminal instanceof Decision.Status status) {
      injected(context, status.fault());
      return Future.succeededFuture(HttpDecisions.fail(request, new Decision.Fail(status.fault(), GrpcCodes.httpStatus(status.code()), 0)));
    }
    if (terminal instanceof Decision.Timeout timeout) {
      injected(context, "timeout");
      dropped(context);
      request.release();
      long timer = vertx.setTimer(Math.max(1, timeout.ms()), id -> response.reset());
      response.closeHandler(v -> {
        vertx.cancelTimer(timer);
        verdict.complete(true);
      });
      return Promise.<ProxyResponse>promise().future();
    }
    if (terminal instanceof Decision.Reset reset) {
      injected(context, reset.fault());
      dropped(context);
      request.release();
      response.reset();
      return Promise.<ProxyResponse>promise().future();
    }
    Body body = request.getBody();
    if (verdict.throttleBps() > 0) {
      injected(context, "bandwidth");
    }
    if (verdict.throttleBps() > 0 && body != null) {
      request.setBody(Body.body(new PacedReadStream(vertx, body.stream(), verdict.throttleBps()), body.length(), body.mediaType()));
    }
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    Verdict verdict = context.get(VERDICT, Verdict.class);
    if (verdict == null) {
      return context.sendResponse();
    }
    ProxyResponse response = context.response();
    Decision terminal = verdict.terminal();
    Body body = response.getBody();
    if (terminal instanceof Decision.Cut cut) {
      response.putHeader(HttpDecisions.FAULT_HEADER, cut.fault());
      injected(context, cut.fault());
    }
    if (body != null && (terminal instanceof Decision.Cut || verdict.throttleBps() > 0)) {
      ReadStream<Buffer> stream = body.stream();
      if (terminal instanceof Decision.Cut cut) {
        long window = body.length() >= 0 ? body.length() : UNKNOWN_LENGTH_WINDOW;
        stream = new CutReadStream(stream, (long) (window * cut.fraction()), () -> drop(context));
      }
      if (verdict.throttleBps() > 0) {
        stream = new PacedReadStream(vertx, stream, verdict.throttleBps());
      }
      response.setBody(Body.body(stream, body.length(), body.mediaType()));
    } else if (terminal instanceof Decision.Cut) {
      drop(context);
      return Future.succeededFuture();
    }
    return context.sendResponse();
  }

  /** Loses the connection mid-transfer: the client's connection is reset and so is the upstream request. */
  private void drop(ProxyContext context) {
    HttpServerResponse response = context.request().proxiedRequest().response();
    HttpClientResponse upstream = context.response().proxiedResponse();
    vertx.runOnContext(v -> {
      response.reset();
      if (upstream != null) {
        upstream.request().reset();
      }
    });
  }
}
