package io.faultline.chaos.listener;

import io.faultline.chaos.engine.OperationFacts;
import io.faultline.chaos.engine.RequestFacts;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * {@link RequestFacts} read lazily from an HTTP server request (plain HTTP, or a WebSocket or GraphQL
 * listener's), with the GraphQL {@code operation} when one was parsed.
 */
public record ServerRequestFacts(String listener, String protocol, Shape shape, String route, HttpServerRequest request,
    OperationFacts operation) implements RequestFacts {

  /** A request that is one call (HTTP, a GraphQL operation). */
  public ServerRequestFacts(String listener, String protocol, String route, HttpServerRequest request) {
    this(listener, protocol, Shape.CALL, route, request, null);
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return RequestChecks.path(request);
  }

  @Override
  public String host() {
    HostAndPort authority = RequestAuthority.of(request);
    return authority == null ? null : authority.toString();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public java.util.List<String> headers(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public String clientIp() {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? "" : remote.hostAddress();
  }
}
