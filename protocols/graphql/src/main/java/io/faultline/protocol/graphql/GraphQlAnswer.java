package io.faultline.protocol.graphql;

import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.engine.Terminal;

/**
 * How a GraphQL server would answer each refusal, whether the operation came over HTTP or as a
 * subscription: the HTTP status (rate limits, bulkheads and open breakers answer 200, as GraphQL servers
 * do, with the reason in {@code extensions.code}), the message and the code. One table for both, so the
 * two paths cannot drift apart.
 */
record GraphQlAnswer(int status, String message, String code, long retryAfterSeconds) {

  static GraphQlAnswer httpError(Terminal.HttpError error) {
    return new GraphQlAnswer(error.status(), "injected fault: HTTP " + error.status(), GraphQlResponses.code(error.status()), 0);
  }

  static GraphQlAnswer rateLimited(Terminal.RateLimited limited) {
    return new GraphQlAnswer(200, "rate limit exceeded", "RATE_LIMITED", limited.retryAfterSeconds());
  }

  static GraphQlAnswer breakerOpen() {
    return new GraphQlAnswer(200, "circuit breaker open", "SERVICE_UNAVAILABLE", 0);
  }

  static GraphQlAnswer bulkheadFull() {
    return new GraphQlAnswer(200, "bulkhead full", "SERVICE_UNAVAILABLE", 0);
  }

  static GraphQlAnswer status(Terminal.Status status) {
    int http = GrpcCodes.httpStatus(status.code());
    return new GraphQlAnswer(http, status.message(), GraphQlResponses.code(http), 0);
  }

  static GraphQlAnswer graphQlError(Terminal.GraphQlError error) {
    return new GraphQlAnswer(error.status(), error.message(), error.code(), 0);
  }

  static GraphQlAnswer upstreamDown(String upstream) {
    return new GraphQlAnswer(502, "upstream unavailable: " + upstream, "BAD_GATEWAY", 0);
  }

  static GraphQlAnswer upstreamTooSlow(String upstream) {
    return new GraphQlAnswer(504, "upstream timed out: " + upstream, "GATEWAY_TIMEOUT", 0);
  }
}
