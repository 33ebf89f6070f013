package io.faultline.chaos.config;

import java.util.List;

/**
 * Error injection: HTTP error codes, held-then-closed timeouts, connection errors (closed with no
 * response) and partial responses, each with its own probability; for gRPC also chosen statuses
 * ({@code grpc_status_codes}), streams ended with {@code abort_status} after
 * {@code abort_after_messages} response messages, and streams dropped mid-way.
 */
public record FaultInjectionConfig(
    Boolean enabled,
    List<Integer> httpErrors,
    Double httpErrorProbability,
    Double timeoutProbability,
    Long timeoutMs,
    Double connectionErrorProbability,
    Double partialResponseProbability,
    List<String> grpcStatusCodes,
    Double grpcStatusProbability,
    String grpcStatusMessage,
    Integer abortAfterMessages,
    String abortStatus,
    Double streamDropProbability) {

  /** The codes injected when {@code http_error_probability} is set without {@code http_errors}. */
  public static final List<Integer> DEFAULT_HTTP_ERRORS = List.of(500, 502, 503, 504);

  public FaultInjectionConfig {
    enabled = Check.flag(enabled, true);
    boolean noneNamed = httpErrors != null && httpErrors.isEmpty();
    httpErrors = Check.statusCodes(httpErrors, "http_errors");
    httpErrorProbability = Check.probability(httpErrorProbability, "http_error_probability", 0.0);
    if (noneNamed && httpErrorProbability > 0) {
      // left out, the server errors are meant (as reference files write it); an empty list beside a probability said
      // "none" and got them (with no probability it is what a config read back shows, and fine)
      throw new ChaosConfigException("http_errors", "must name at least one status (400 to 599) when http_error_probability is set,"
          + " or be left out for 500, 502, 503 and 504");
    }
    if (httpErrorProbability > 0 && httpErrors.isEmpty()) {
      // Reference files set only the probability (the reference engine then injected nothing); the server errors are what is meant.
      httpErrors = DEFAULT_HTTP_ERRORS;
    }
    timeoutProbability = Check.probability(timeoutProbability, "timeout_probability", 0.0);
    timeoutMs = Check.nonNegative(timeoutMs, "timeout_ms", 5_000L, Check.DAY_MS);
    connectionErrorProbability = Check.probability(connectionErrorProbability, "connection_error_probability", 0.0);
    partialResponseProbability = Check.probability(partialResponseProbability, "partial_response_probability", 0.0);
    List<String> codes = new java.util.ArrayList<>();
    for (int i = 0; grpcStatusCodes != null && i < grpcStatusCodes.size(); i++) {
      codes.add(GrpcCodes.check(grpcStatusCodes.get(i), "grpc_status_codes[" + i + "]"));
    }
    grpcStatusCodes = List.copyOf(codes);
    grpcStatusProbability = Check.probability(grpcStatusProbability, "grpc_status_probability", 0.0);
    if (grpcStatusProbability > 0 && grpcStatusCodes.isEmpty()) {
      throw new ChaosConfigException("grpc_status_codes", "must list at least one status when grpc_status_probability is above 0");
    }
    abortAfterMessages = Check.nonNegative(abortAfterMessages, "abort_after_messages", 0, Check.MAX_COUNT);
    abortStatus = GrpcCodes.check(abortStatus == null ? "UNAVAILABLE" : abortStatus, "abort_status");
    streamDropProbability = Check.probability(streamDropProbability, "stream_drop_probability", 0.0);
  }
}
