package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics counts what the client saw: requests by outcome, injected faults by type, injected latency. */
class MetricsTest {

  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void metricsMatchWhatClientsSaw() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.SEED, "3", Flag.CHAOS_HTTP_ERRORS, "503",
        Flag.CHAOS_HTTP_ERROR_PROBABILITY, "0.5", Flag.CHAOS_LATENCY_MS, "20"))) {
      int errors = 0;
      for (int i = 0; i < 20; i++) {
        if (gw.traffic("/x").statusCode() == 503) {
          errors++;
        }
      }
      String metrics = gw.get("/metrics").bodyAsString();
      String labels = "listener=\"web\",outcome=\"%s\",protocol=\"http\",route=\"default\"";
      assertThat(value(metrics, "faultline_requests_total{" + labels.formatted("5xx") + "}")).isEqualTo(errors);
      assertThat(value(metrics, "faultline_requests_total{" + labels.formatted("2xx") + "}")).isEqualTo(20 - errors);
      assertThat(value(metrics, "faultline_faults_injected_total{listener=\"web\",protocol=\"http\",route=\"default\",type=\"http_error\"}"))
          .isEqualTo(errors);
      assertThat(value(metrics, "faultline_injected_latency_seconds_count{listener=\"web\",protocol=\"http\",route=\"default\"}"))
          .isEqualTo(20);
      assertThat(value(metrics, "faultline_chaos_enabled")).isEqualTo(1);
      assertThat(metrics).contains("faultline_request_duration_seconds_bucket{");
      assertThat(errors).as("seed 3 at p=0.5 gives both outcomes").isBetween(1, 19);
    }
  }
}
