package io.faultline.chaos.config;

import java.util.List;

/**
 * Error injection: HTTP error codes, held-then-closed timeouts, connection errors (closed with no
 * response) and partial responses, each with its own probability.
 */
public record FaultInjectionConfig(
    Boolean enabled,
    List<Integer> httpErrors,
    Double httpErrorProbability,
    Double timeoutProbability,
    Long timeoutMs,
    Double connectionErrorProbability,
    Double partialResponseProbability) {

  public FaultInjectionConfig {
    enabled = Check.flag(enabled, true);
    httpErrors = Check.statusCodes(httpErrors, "http_errors");
    httpErrorProbability = Check.probability(httpErrorProbability, "http_error_probability", 0.0);
    if (httpErrorProbability > 0 && httpErrors.isEmpty()) {
      throw new ChaosConfigException("http_errors", "must list at least one status code when http_error_probability is above 0");
    }
    timeoutProbability = Check.probability(timeoutProbability, "timeout_probability", 0.0);
    timeoutMs = Check.nonNegative(timeoutMs, "timeout_ms", 5_000L);
    connectionErrorProbability = Check.probability(connectionErrorProbability, "connection_error_probability", 0.0);
    partialResponseProbability = Check.probability(partialResponseProbability, "partial_response_probability", 0.0);
  }

  public static FaultInjectionConfig httpErrors(List<Integer> codes, double probability) {
    return new FaultInjectionConfig(true, codes, probability, null, null, null, null);
  }
}
