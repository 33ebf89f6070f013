package io.faultline.chaos.engine;

/** What a rule can match on, and what faults need to know, as each protocol sees its request. */
public interface RequestFacts {

  /** What an exchange carries, which decides where per-message faults and latency act. */
  enum Shape {
    /** One request, one response (HTTP, GraphQL operations): latency holds the request. */
    CALL,
    /** A call whose response is a stream of messages (gRPC): message faults act on each response message. */
    STREAM,
    /** A long-lived connection carrying messages both ways (WebSocket): latency and message faults act on each message. */
    CONNECTION
  }

  String listener();

  /** The listener's protocol ({@code http}, {@code grpc}, {@code websocket}, {@code graphql}). */
  default String protocol() {
    return "http";
  }

  /** What this exchange carries ({@link Shape#CALL} unless the protocol says otherwise). */
  default Shape shape() {
    return Shape.CALL;
  }

  /** The configured route name, or {@code null} for the listener's default upstream. */
  String route();

  String method();

  String path();

  String host();

  /** The first value of header {@code name}, or null. */
  String header(String name);

  /** Every value of header {@code name} in the order sent (one header sent on several lines); empty when absent. */
  default java.util.List<String> headers(String name) {
    String value = header(name);
    return value == null ? java.util.List.of() : java.util.List.of(value);
  }

  String clientIp();

  /** The GraphQL operation of a request on a graphql listener that could be parsed, else null. */
  default OperationFacts operation() {
    return null;
  }
}
