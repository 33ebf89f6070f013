package io.faultline.gateway.metrics;

import io.faultline.history.HistoryVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * History's meters, read from the history verticle when Prometheus scrapes: records dropped because a
 * write queue was full or their write failed for good ({@code faultline_history_dropped_total{kind}}), anomalies the live detector
 * flagged ({@code faultline_anomalies_total{type}}) and the node's health score ({@code faultline_health_score},
 * NaN while there is no traffic to measure).
 */
public final class HistoryMeters {

  private final MeterRegistry registry;
  private final HistoryVerticle history;

  public HistoryMeters(MeterRegistry registry, HistoryVerticle history) {
    this.registry = registry;
    this.history = history;
  }

  public void bind() {
    for (String kind : history.dropped().keySet()) {
      FunctionCounter.builder(MetricNames.HISTORY_DROPPED, history, h -> h.dropped().get(kind))
          .description("History records dropped: their write queue was full, or the database refused them or stayed out of reach for 5 minutes").tag("kind", kind).register(registry);
    }
    for (String type : HistoryVerticle.anomalyTypes()) {
      FunctionCounter.builder(MetricNames.ANOMALIES, history, h -> h.anomalies(type))
          .description("Anomalies the live detector flagged (one per episode)").tag("type", type).register(registry);
    }
    Gauge.builder(MetricNames.HEALTH_SCORE, history, HistoryVerticle::healthScore)
        .description("The node's health score, 0..100, from the last minute of traffic").register(registry);
  }
}
