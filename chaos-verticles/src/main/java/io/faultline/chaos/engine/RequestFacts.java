package io.faultline.chaos.engine;

/** What a rule can match on, as each protocol sees its request. */
public interface RequestFacts {

  String listener();

  /** The listener's protocol ({@code http}, {@code grpc}, {@code websocket}, {@code graphql}). */
  default String protocol() {
    return "http";
  }

  /** The configured route name, or {@code null} for the listener's default upstream. */
  String route();

  String method();

  String path();

  String host();

  String header(String name);

  String clientIp();

  /** The GraphQL operation of a request on a graphql listener that could be parsed, else null. */
  default OperationFacts operation() {
    return null;
  }
}
