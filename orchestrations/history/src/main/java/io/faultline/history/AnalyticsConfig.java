package io.faultline.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.chaos.config.ChaosConfigException;

/**
 * The {@code analytics:} section: the live sampler takes the node's traffic figures every
 * {@code interval_ms}; each series has an EWMA mean and variance of weight {@code ewma_alpha}, and a
 * sample more than {@code z_threshold} standard deviations out (past the noise floors of
 * {@link io.faultline.history.analytics.AnomalyDetector}) is an anomaly, once {@code warmup_samples}
 * samples have set the baseline.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalyticsConfig(Boolean enabled, Long intervalMs, Double ewmaAlpha, Double zThreshold, Integer warmupSamples) {

  public AnalyticsConfig {
    enabled = enabled == null || enabled;
    intervalMs = intervalMs == null ? 1_000L : intervalMs;
    if (intervalMs < 100 || intervalMs > 600_000) {
      throw new ChaosConfigException("interval_ms", "must be between 100 and 600000, got " + intervalMs);
    }
    ewmaAlpha = ewmaAlpha == null ? 0.3 : ewmaAlpha;
    if (!(ewmaAlpha > 0 && ewmaAlpha <= 1)) {
      throw new ChaosConfigException("ewma_alpha", "must be in (0, 1], got " + ewmaAlpha);
    }
    zThreshold = zThreshold == null ? 3.0 : zThreshold;
    if (!(zThreshold >= 1 && zThreshold <= 20)) {
      throw new ChaosConfigException("z_threshold", "must be between 1 and 20, got " + zThreshold);
    }
    warmupSamples = HistoryConfig.atLeast("warmup_samples", warmupSamples, 10, 2);
  }

  public static AnalyticsConfig defaults() {
    return new AnalyticsConfig(null, null, null, null, null);
  }
}
