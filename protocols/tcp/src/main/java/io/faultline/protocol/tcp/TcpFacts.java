package io.faultline.protocol.tcp;

import io.faultline.chaos.engine.RequestFacts;

/**
 * What rules and faults see of a tcp connection: its listener and the client's address. A tcp
 * connection has no route, method, path, host or headers, so rules that match on those never match it.
 */
record TcpFacts(String listener, String clientIp) implements RequestFacts {

  static final String PROTOCOL = "tcp";

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public Shape shape() {
    return Shape.CONNECTION;
  }

  @Override
  public String route() {
    return null;
  }

  @Override
  public String method() {
    return null;
  }

  @Override
  public String path() {
    return null;
  }

  @Override
  public String host() {
    return null;
  }

  @Override
  public String header(String name) {
    return null;
  }
}
