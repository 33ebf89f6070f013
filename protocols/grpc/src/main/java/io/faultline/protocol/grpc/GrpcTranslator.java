package io.faultline.protocol.grpc;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;

/**
 * What the exchange lifecycle looks like on a gRPC listener: injected answers are a gRPC status and
 * message in a trailers-only response carrying {@code x-faultline-fault}; an injected HTTP status maps
 * as gRPC gateways map it; timeouts hold the call until its deadline; connection errors answer
 * UNAVAILABLE ({@link #reset}); a cut resets the stream after at most one message.
 */
final class GrpcTranslator implements Translator<GrpcCall> {

  private static final String INJECTED = " (injected by Faultline)";
  static final String RETRY_PUSHBACK = "grpc-retry-pushback-ms";

  private final Vertx vertx;
  private final String listener;
  private GrpcRelay relay;

  GrpcTranslator(Vertx vertx, String listener) {
    this.vertx = vertx;
    this.listener = listener;
  }

  /** The relay that forwards calls (it needs the runner, which needs this translator). */
  void relay(GrpcRelay forwarder) {
    this.relay = forwarder;
  }

  @Override
  public RequestFacts facts(GrpcCall call, String route) {
    return new GrpcRequestFacts(listener, route, call.http());
  }

  @Override
  public boolean gone(GrpcCall call) {
    return call.finished();
  }

  @Override
  public void forward(Exchange<GrpcCall> exchange) {
    GrpcCall call = exchange.call();
    if (call.request() != null && call.request().response().headers().contains(GrpcDecisions.FAULT_HEADER)) {
      // the kill switch released a call an injected timeout held: what it said for the deadline is not its answer
      call.request().response().headers().remove(GrpcDecisions.FAULT_HEADER);
      call.request().response().trailers().remove("grpc-message");
    }
    relay.forward(call, exchange);
  }

  @Override
  public void httpError(Exchange<GrpcCall> exchange, Terminal.HttpError error) {
    GrpcRelay.end(exchange.call(), GrpcDecisions.fromHttp(error.status()),
        "injected fault: " + error.type() + " (HTTP " + error.status() + ")" + INJECTED, error.type());
  }

  @Override
  public void rateLimited(Exchange<GrpcCall> exchange, Terminal.RateLimited limited) {
    if (!exchange.call().finished()) {
      // gRPC's retry pushback (gRFC A6): a client with a retry policy waits this long before it tries again
      exchange.call().request().response().trailers().set(RETRY_PUSHBACK, Long.toString(limited.retryAfterMillis()));
    }
    GrpcRelay.end(exchange.call(), GrpcStatus.RESOURCE_EXHAUSTED, "rate limit exceeded" + INJECTED, limited.type());
  }

  @Override
  public void breakerOpen(Exchange<GrpcCall> exchange, Terminal.BreakerOpen open) {
    GrpcRelay.end(exchange.call(), GrpcStatus.UNAVAILABLE, "circuit breaker open" + INJECTED, open.type());
  }

  @Override
  public void bulkheadFull(Exchange<GrpcCall> exchange, Terminal.BulkheadFull full) {
    GrpcRelay.end(exchange.call(), GrpcStatus.RESOURCE_EXHAUSTED, "bulkhead full" + INJECTED, full.type());
  }

  @Override
  public void status(Exchange<GrpcCall> exchange, Terminal.Status status) {
    GrpcRelay.end(exchange.call(), GrpcStatus.valueOf(status.code()), status.message(), status.type());
  }

  @Override
  public void graphQlError(Exchange<GrpcCall> exchange, Terminal.GraphQlError error) {
    // decided only for GraphQL operations: not on this listener
    GrpcRelay.end(exchange.call(), GrpcDecisions.fromHttp(error.status()), error.message(), error.type());
  }

  /**
   * Holds the call until its client's deadline (or {@code timeout_ms} without one), then answers DEADLINE_EXCEEDED
   * saying it was injected. With a deadline the gRPC server's own deadline timer (started as the call came in) may
   * answer first, on its own: the answer is told the fault header and message now, so that answer says them too
   * (it came bare, like a slow service's, and a client that always sets deadlines could not tell them apart).
   * The message goes in as a trailer encoded as gRPC's spec says: given as the status message, Vert.x encoded it
   * as a URL query (grpc-js showed {@code injected timeout%3A held ...}), and an end of ours that came first
   * sent it a second time beside our own.
   */
  @Override
  public void timeout(Exchange<GrpcCall> exchange, Terminal.Timeout timeout) {
    GrpcCall call = exchange.call();
    long hold = call.request().timeout() > 0 ? call.request().timeout() : timeout.ms();
    String message = "injected timeout: held " + hold + " ms" + INJECTED;
    if (call.request().timeout() > 0) {
      call.request().response().headers().set(GrpcDecisions.FAULT_HEADER, timeout.type());
      GrpcRelay.statusMessage(call.request().response(), GrpcStatus.DEADLINE_EXCEEDED, message);
    }
    exchange.hold(hold, () -> GrpcRelay.end(call, GrpcStatus.DEADLINE_EXCEEDED, message, timeout.type()));
  }

  /**
   * A connection error, as a gRPC client reports a lost connection: UNAVAILABLE, for this call alone (its
   * connection carries the client's other calls). Not a stream reset with REFUSED_STREAM, which clients
   * also read as UNAVAILABLE but take for a call never processed and retry at once, unseen (grpc-js,
   * grpc-java, grpc-go): a configured 0.5 failed a quarter of the calls, each counted twice.
   */
  @Override
  public void reset(Exchange<GrpcCall> exchange, Terminal.Reset reset) {
    GrpcRelay.end(exchange.call(), GrpcStatus.UNAVAILABLE, "connection error" + INJECTED, reset.type());
  }

  @Override
  public void cut(Exchange<GrpcCall> exchange, Terminal.Cut cut) {
    exchange.forward(cut);
  }

  @Override
  public void upstreamDown(GrpcCall call, String upstream, Throwable cause) {
    GrpcRelay.end(call, GrpcStatus.UNAVAILABLE, "upstream unavailable: " + upstream + ": " + cause.getMessage(), null);
  }

  @Override
  public void upstreamTooSlow(GrpcCall call, String upstream, Throwable cause) {
    GrpcRelay.end(call, GrpcStatus.DEADLINE_EXCEEDED, "upstream timed out: " + upstream + ": " + cause.getMessage(), null);
  }
}
