package io.faultline.chaos.config;

import java.util.List;

/**
 * Latency injection: {@code fixed_delay_ms} or a uniform {@code random_delay_range_ms: [min, max]},
 * spread by ± {@code jitter_percent}, applied to a {@code probability} share of requests; on streams
 * (gRPC) each response message is also delayed by {@code per_message_delay_ms}.
 */
public record LatencyConfig(
    Boolean enabled,
    Long fixedDelayMs,
    List<Long> randomDelayRangeMs,
    Double jitterPercent,
    Double probability,
    Long perMessageDelayMs) {

  public LatencyConfig {
    enabled = Check.flag(enabled, true);
    fixedDelayMs = Check.nonNegative(fixedDelayMs, "fixed_delay_ms", 0L, Check.HOUR_MS);
    if (randomDelayRangeMs != null) {
      if (randomDelayRangeMs.size() != 2 || randomDelayRangeMs.get(0) == null || randomDelayRangeMs.get(1) == null) {
        throw new ChaosConfigException("random_delay_range_ms", "must be [min, max], got " + randomDelayRangeMs);
      }
      long min = randomDelayRangeMs.get(0);
      long max = randomDelayRangeMs.get(1);
      if (min < 0 || min > max || max > Check.HOUR_MS) {
        throw new ChaosConfigException("random_delay_range_ms", "must have 0 <= min <= max <= " + Check.HOUR_MS + " (1 h), got " + randomDelayRangeMs);
      }
      if (fixedDelayMs > 0) {
        throw new ChaosConfigException("random_delay_range_ms", "set either fixed_delay_ms or random_delay_range_ms, not both");
      }
      randomDelayRangeMs = List.copyOf(randomDelayRangeMs);
    }
    jitterPercent = Check.percent(jitterPercent, "jitter_percent", 0.0);
    probability = Check.probability(probability, "probability", 1.0);
    perMessageDelayMs = Check.nonNegative(perMessageDelayMs, "per_message_delay_ms", 0L, Check.HOUR_MS);
  }

  public static LatencyConfig fixed(long ms) {
    return new LatencyConfig(true, ms, null, null, null, null);
  }

  public boolean active() {
    return enabled && probability > 0 && (fixedDelayMs > 0 || randomDelayRangeMs != null || perMessageDelayMs > 0);
  }
}
