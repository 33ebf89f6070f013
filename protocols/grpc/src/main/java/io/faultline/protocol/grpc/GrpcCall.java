package io.faultline.protocol.grpc;

import io.faultline.chaos.listener.RouteTable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * One gRPC call on its way through the listener: its HTTP/2 stream, its route, when it arrived and, once
 * the gRPC server has dispatched it (a call chaos touched, relayed message by message), the gRPC call.
 */
final class GrpcCall {

  private final HttpServerRequest http;
  private final RouteTable.Route route;
  private final long startedNanos;
  private GrpcServerRequest<Buffer, Buffer> request;
  private io.vertx.core.http.HttpClientRequest upstreamStream;
  /** What {@link GrpcPassThrough} gathers of the answer to write at the end of the turn; null before its head. */
  private TurnBatch answerBatch;
  private Runnable onClose;
  private boolean left;
  /** The gateway reset the client's stream because the upstream's broke off. */
  private boolean upstreamBroke;
  private boolean cut;

  GrpcCall(HttpServerRequest http, RouteTable.Route route, long startedNanos) {
    this.http = http;
    this.route = route;
    this.startedNanos = startedNanos;
  }

  GrpcCall(GrpcServerRequest<Buffer, Buffer> request, HttpServerRequest http, RouteTable.Route route, long startedNanos) {
    this(http, route, startedNanos);
    this.request = request;
  }

  /** The gRPC call; null until the gRPC server dispatched it (never, for a call {@link GrpcPassThrough} relays). */
  GrpcServerRequest<Buffer, Buffer> request() {
    return request;
  }

  void dispatched(GrpcServerRequest<Buffer, Buffer> request) {
    this.request = request;
  }

  /** The upstream HTTP/2 stream {@link GrpcPassThrough} opened for this call; null before (or on the decoded path). */
  io.vertx.core.http.HttpClientRequest upstreamStream() {
    return upstreamStream;
  }

  void upstreamStream(io.vertx.core.http.HttpClientRequest stream) {
    this.upstreamStream = stream;
  }

  TurnBatch answerBatch() {
    return answerBatch;
  }

  void answerBatch(TurnBatch batch) {
    this.answerBatch = batch;
  }

  HttpServerRequest http() {
    return http;
  }

  RouteTable.Route route() {
    return route;
  }

  long startedNanos() {
    return startedNanos;
  }

  /** {@code host:port} of the call's upstream, as messages name it. */
  String upstream() {
    return route.upstream().host() + ":" + route.upstream().port();
  }

  /**
   * Runs {@code action} when the client's stream closes before its answer ended (the client cancelled, or
   * its connection went, or the gateway reset it): the response has one close handler, which counts the call
   * ({@link GrpcRelay#track}). Actions add up, run in the order given.
   */
  void onClose(Runnable action) {
    Runnable before = onClose;
    this.onClose = before == null ? action : () -> {
      before.run();
      action.run();
    };
  }

  /**
   * The client's stream closed before its answer ended. The gRPC server's own deadline timer goes too: Vert.x
   * cancels it when the answer ends, not when the stream is reset, so it kept the call, its streams and buffers
   * until the client's deadline (an hour, for some clients), then failed with a NullPointerException logged
   * as SEVERE as it tried to answer the stream gone long before.
   */
  void closed() {
    if (request != null && request.deadline() != null) {
      request.deadline().cancel();
    }
    if (onClose != null) {
      onClose.run();
    }
  }

  /**
   * The client reset its stream (it cancelled the call): nothing may answer it now. Vert.x tells the
   * request before it marks the response closed, and the upstream call's cancelling, which that starts,
   * fails the upstream call at once: its failure must not be taken for the call's answer (a cancelled call
   * was counted a server error).
   */
  void left() {
    left = true;
  }

  /** The upstream's stream broke off mid-call, and the client's is reset for it: a failure of the upstream's. */
  void upstreamBroke() {
    upstreamBroke = true;
  }

  /**
   * Chaos cut the stream (a partial response, a stream drop, packet loss): a failure for a circuit breaker, as an upstream
   * breaking off is, and as an injected cut is on the other listeners.
   */
  void cutByChaos() {
    upstreamBroke = true;
    cut = true;
  }

  /** True once chaos cut the stream: its end counts as {@code dropped}, whatever status closed it. */
  boolean cutByChaosAlready() {
    return cut;
  }

  /**
   * Whether a stream that closed unanswered failed on the upstream's side, or chaos cut it: else its client cancelled
   * it, or its connection went, which a circuit breaker does not count against the upstream.
   */
  boolean brokenByUpstream() {
    return upstreamBroke;
  }

  /** True once the client's stream is answered or gone. */
  boolean finished() {
    return left || http.response().ended() || http.response().closed();
  }
}
