package io.faultline.history.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.history.AnalyticsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Insights on made-up samples: a projection starts from the fitted line, not from the last sample. */
class InsightsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aProjectionStartsFromTheFittedLineNotFromALastSampleOffIt() {
    LiveAnalytics analytics = new LiveAnalytics(vertx, AnalyticsConfig.defaults());
    long now = System.currentTimeMillis();
    // fault_rate rising by 2 a minute for 11 minutes, then a lull in the last sample
    for (int minute = 0; minute <= 11; minute++) {
      double rate = minute < 11 ? 2.0 * minute : 0.0;
      analytics.observe(new JsonObject().put("at", now - (11 - minute) * 60_000L).put("request_count", 100L).put("request_rate", 10.0)
          .put("error_rate", 0.0).put("fault_rate", rate).put("fault_share", 0.0).put("avg_latency", 1.0).put("p95_latency", 2.0));
    }
    JsonObject trend = analytics.trend("fault_rate", "fault_rate", Insights.MINUTES);
    assertThat(trend.getString("trend")).isEqualTo("increasing");
    JsonArray line = trend.getJsonArray("fitted_line");
    double slope = trend.getDouble("slope_per_minute");
    double fittedLast = line.getJsonArray(1).getDouble(1);
    assertThat(fittedLast).as("the line at the last sample sits well above the lull").isGreaterThan(10.0);

    JsonObject insight = Insights.of(analytics, List.of()).stream().map(JsonObject.class::cast)
        .filter(i -> i.getString("metric").equals("fault_rate")).findFirst().orElseThrow();
    assertThat(insight.getDouble("predicted_value")).isCloseTo(fittedLast + slope * Insights.HORIZON_MINUTES,
        org.assertj.core.data.Offset.offset(1e-9));
    JsonArray range = insight.getJsonArray("predicted_range");
    assertThat(range.getDouble(0)).isLessThanOrEqualTo(insight.getDouble("predicted_value"));
    assertThat(range.getDouble(1)).isGreaterThanOrEqualTo(insight.getDouble("predicted_value"));
  }
}
