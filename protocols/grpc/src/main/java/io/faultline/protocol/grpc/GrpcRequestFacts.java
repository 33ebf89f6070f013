package io.faultline.protocol.grpc;

import io.faultline.chaos.engine.RequestFacts;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@link RequestFacts} of a gRPC call: the path is {@code /package.Service/Method}, the method is
 * {@code POST}, headers are the call's metadata.
 */
record GrpcRequestFacts(String listener, String route, HttpServerRequest http) implements RequestFacts {

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
    return http.path(); // "/" + the call's full method name
  }

  @Override
  public String host() {
    return http.authority() == null ? null : http.authority().toString();
  }

  @Override
  public String header(String name) {
    return http.headers().get(name); // a gRPC call's metadata are its HTTP/2 headers
  }

  @Override
  public java.util.List<String> headers(String name) {
    return http.headers().getAll(name);
  }

  @Override
  public String clientIp() {
    return http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
  }
}
