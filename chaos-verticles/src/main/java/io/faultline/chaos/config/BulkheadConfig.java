package io.faultline.chaos.config;

/**
 * A simulated bulkhead: at most {@code max_concurrent_requests} in flight, up to {@code max_queue_size}
 * more wait (at most {@code queue_timeout_ms}), anything beyond gets 503.
 */
public record BulkheadConfig(
    Boolean enabled,
    Integer maxConcurrentRequests,
    Integer maxQueueSize,
    Long queueTimeoutMs) {

  public BulkheadConfig {
    enabled = Check.flag(enabled, true);
    maxConcurrentRequests = Check.positive(maxConcurrentRequests, "max_concurrent_requests", 10, Check.MAX_COUNT);
    maxQueueSize = Check.nonNegative(maxQueueSize, "max_queue_size", 0, Check.MAX_COUNT);
    queueTimeoutMs = Check.positive(queueTimeoutMs, "queue_timeout_ms", 5_000L, Check.DAY_MS);
  }
}
