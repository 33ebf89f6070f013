package io.faultline.protocol.grpc;

import io.faultline.chaos.engine.RequestFacts;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * {@link RequestFacts} of a gRPC call: the path is {@code /package.Service/Method}, the method is
 * {@code POST}, headers are the call's metadata.
 */
record GrpcRequestFacts(String listener, String route, GrpcServerRequest<?, ?> call, HttpServerRequest http) implements RequestFacts {

  @Override
  public Shape shape() {
    return Shape.STREAM;
  }

  @Override
  public String protocol() {
    return "grpc";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String path() {
    return "/" + call.fullMethodName();
  }

  @Override
  public String host() {
    return http == null || http.authority() == null ? null : http.authority().toString();
  }

  @Override
  public String header(String name) {
    return call.headers().get(name);
  }

  @Override
  public String clientIp() {
    return http == null || http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
  }
}
