package io.faultline.chaos.config;

/**
 * A simulated circuit breaker: after {@code failure_threshold} consecutive failed requests (5xx or
 * lost connection, upstream or injected) it opens and answers 503 at once for {@code reset_timeout_ms};
 * then up to {@code half_open_max_requests} probes go through, and {@code success_threshold}
 * successful probes close it again.
 */
public record CircuitBreakerConfig(
    Boolean enabled,
    Integer failureThreshold,
    Long resetTimeoutMs,
    Integer halfOpenMaxRequests,
    Integer successThreshold) {

  public CircuitBreakerConfig {
    enabled = Check.flag(enabled, true);
    failureThreshold = Check.positive(failureThreshold, "failure_threshold", 5, Check.MAX_COUNT);
    resetTimeoutMs = Check.positive(resetTimeoutMs, "reset_timeout_ms", 30_000L, Check.DAY_MS);
    halfOpenMaxRequests = Check.positive(halfOpenMaxRequests, "half_open_max_requests", 1, Check.MAX_COUNT);
    successThreshold = Check.positive(successThreshold, "success_threshold", 1, Check.MAX_COUNT);
  }
}
