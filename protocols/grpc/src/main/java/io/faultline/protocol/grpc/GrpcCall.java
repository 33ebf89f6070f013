package io.faultline.protocol.grpc;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServerRequest;

/** One gRPC call on its way through the relay: the call, its HTTP/2 stream, its route and when it arrived. */
record GrpcCall(GrpcServerRequest<Buffer, Buffer> request, HttpServerRequest http, MethodRoutes.Route route, long startedNanos) {

  /** {@code host:port} of the call's upstream, as messages name it. */
  String upstream() {
    return route.upstream().host() + ":" + route.upstream().port();
  }

  /** True once the client's stream is answered or gone. */
  boolean finished() {
    return http.response().ended() || http.response().closed();
  }
}
