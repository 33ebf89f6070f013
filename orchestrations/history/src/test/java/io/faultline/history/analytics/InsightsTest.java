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

  /**
   * Seconds without requests are no latency measurement: 80 s of steady traffic then 40 s of quiet read as p95 latency
   * "decreasing", with a fitted line ending below 0 ms (the quiet seconds counted as 0 ms). Rates keep them: 0 is a rate.
   */
  @Test
  void quietSecondsAreLeftOutOfPerRequestTrends() {
    LiveAnalytics analytics = new LiveAnalytics(vertx, AnalyticsConfig.defaults());
    long now = System.currentTimeMillis();
    for (int second = 0; second < 120; second++) {
      boolean busy = second < 80;
      analytics.observe(new JsonObject().put("at", now - (119 - second) * 1_000L).put("request_count", busy ? 100L : 0L)
          .put("request_rate", busy ? 100.0 : 0.0).put("error_rate", 0.0).put("fault_rate", 0.0).put("fault_share", 0.0)
          .put("avg_latency", busy ? 40.0 + second % 3 : 0.0).put("p95_latency", busy ? 50.0 + second % 5 : 0.0));
    }
    for (String series : List.of("p95_latency", "avg_latency")) {
      JsonObject trend = analytics.trend(series, series, 2);
      assertThat(trend.getInteger("samples")).as(series).isEqualTo(80);
      assertThat(trend.getString("trend")).as(series).isEqualTo("stable");
      assertThat(trend.getJsonArray("fitted_line").getJsonArray(1).getDouble(1)).as(series).isGreaterThan(35.0);
    }
    JsonObject rate = analytics.trend("request_rate", "request_rate", 2);
    assertThat(rate.getInteger("samples")).isEqualTo(120);
    assertThat(rate.getString("trend")).as("the traffic did stop").isEqualTo("decreasing");
  }

  /** Two samples give no slope, as two runs give no history trend: the line through both showed a slope beside insufficient_data. */
  @Test
  void twoSamplesGiveNoSlope() {
    LiveAnalytics analytics = new LiveAnalytics(vertx, AnalyticsConfig.defaults());
    long now = System.currentTimeMillis();
    for (int second = 0; second < 2; second++) {
      analytics.observe(new JsonObject().put("at", now - (1 - second) * 1_000L).put("request_count", 5L).put("request_rate", 5.0)
          .put("error_rate", 0.0).put("fault_rate", 0.0).put("fault_share", 0.0).put("avg_latency", 10.0 + 300 * second)
          .put("p95_latency", 12.0 + 300 * second));
    }
    JsonObject trend = analytics.trend("p95_latency", "p95_latency", 15);
    assertThat(trend.getInteger("samples")).isEqualTo(2);
    assertThat(trend.getString("trend")).isEqualTo("insufficient_data");
    assertThat(trend.getValue("slope_per_minute")).isNull();
    assertThat(trend.getValue("rate_of_change")).isNull();
    assertThat(trend.getValue("fitted_line")).isNull();
  }

  /** An hour of samples is kept at any interval: at 100 ms a fixed 3,600 covered 6 minutes, where a 60-minute trend said 60. */
  @Test
  void anHourOfSamplesIsKeptAtAShortInterval() {
    LiveAnalytics analytics = new LiveAnalytics(vertx, new AnalyticsConfig(true, 100L, null, null, null));
    long now = System.currentTimeMillis();
    int hour = 36_000;
    for (int i = 0; i < hour + 50; i++) {
      analytics.observe(new JsonObject().put("at", now - (hour + 49 - i) * 100L).put("request_count", 10L).put("request_rate", 100.0)
          .put("error_rate", 0.0).put("fault_rate", 0.0).put("fault_share", 0.0).put("avg_latency", 5.0).put("p95_latency", 8.0));
    }
    assertThat(analytics.trend("request_rate", "request_rate", 60).getInteger("samples")).isBetween(hour - 20, hour + 1);
    assertThat(analytics.trend("request_rate", "request_rate", 10).getInteger("samples")).isBetween(6_000 - 20, 6_001);
  }
}
