package io.faultline.chaos.engine;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;

/**
 * What one fault decided for one request, in protocol-neutral terms. Protocols translate it: HTTP
 * status, gRPC status, WebSocket close code, GraphQL {@code errors}. {@link Fail}, {@link Status},
 * {@link Timeout}, {@link Reset}, {@link Cut} and {@link Abort} end the request; the others add to it.
 */
public sealed interface Decision {

  Decision PASS = new Pass();

  static Decision delay(long ms) {
    return new Delay(ms);
  }

  static Decision fail(String fault, int status) {
    return new Fail(fault, status, 0);
  }

  static Decision reject(String fault, int status, long retryAfterSeconds) {
    return new Fail(fault, status, retryAfterSeconds);
  }

  static Decision timeout(long ms) {
    return new Timeout(ms);
  }

  static Decision reset(String fault) {
    return new Reset(fault);
  }

  static Decision cut(String fault, double fraction) {
    return new Cut(fault, fraction);
  }

  static Decision throttle(long bytesPerSecond) {
    return new Throttle(bytesPerSecond);
  }

  /** Nothing to do. */
  record Pass() implements Decision {
  }

  /** Hold the request {@code ms} before going on. */
  record Delay(long ms) implements Decision {
  }

  /** Answer with {@code status} without calling the upstream; {@code retryAfterSeconds > 0} adds Retry-After. */
  record Fail(String fault, int status, long retryAfterSeconds) implements Decision {
  }

  /**
   * Answer with the protocol status {@code code} (a gRPC status name) and {@code message}; protocols
   * without such statuses answer the HTTP status it maps to ({@link io.faultline.chaos.config.GrpcCodes#httpStatus}).
   */
  record Status(String fault, String code, String message) implements Decision {
  }

  /** On a stream, relay {@code afterMessages} response messages, then end it with status {@code code}. */
  record Abort(String fault, int afterMessages, String code) implements Decision {
  }

  /** On a stream, hold each response message {@code ms} before relaying it. */
  record MessageDelay(long ms) implements Decision {
  }

  /** Hold the request {@code ms} without answering, then close the connection. */
  record Timeout(long ms) implements Decision {
  }

  /** Close the client connection at once with no response. */
  record Reset(String fault) implements Decision {
  }

  /** Send the status, headers and {@code fraction} of the response body, then close the connection. */
  record Cut(String fault, double fraction) implements Decision {
  }

  /** Pace request and response bodies at {@code bytesPerSecond}. */
  record Throttle(long bytesPerSecond) implements Decision {
  }

  /**
   * On a message stream (WebSocket), decide each message with {@link StreamChaos}: per-message latency
   * from {@code latency} (may be null), the message and connection faults of {@code websocket}, draws
   * seeded with {@code seed}.
   */
  record Messages(WebSocketConfig websocket, LatencyConfig latency, long seed) implements Decision {
  }

  /** Answer a GraphQL operation with an {@code errors} array ({@code message}, {@code extensions.code}) and HTTP {@code status}. */
  record GraphQlError(String fault, String message, String code, int status) implements Decision {
  }

  /** Hold a GraphQL operation {@code delayMs} longer, and null each field of {@code errors} in the upstream's data. */
  record FieldFaults(java.util.List<FieldError> errors, long delayMs) implements Decision {
  }

  /** One field nulled in a GraphQL response, with the error that says why. */
  record FieldError(String field, String message, String code) {
  }

  /** Wait for a slot in {@code bulkhead} before going on (503 when it is full). */
  record Admit(Bulkhead bulkhead) implements Decision {
  }

  /** Report the request's outcome to {@code breaker} when it completes. */
  record Observe(CircuitBreaker breaker, CircuitBreaker.Pass pass) implements Decision {
  }
}
