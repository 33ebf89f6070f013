package io.faultline.history.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector on seeded series: quiet on noisy calm traffic, loud on a spike, once per episode. */
class AnomalyDetectorTest {

  private static JsonObject sample(long at, double rate, double errors, double p95, double faults) {
    return new JsonObject().put("at", at).put("request_count", (long) rate).put("request_rate", rate).put("error_rate", errors)
        .put("p95_latency", p95).put("fault_rate", faults).put("fault_share", rate == 0 ? 0 : faults / rate);
  }

  /** 600 samples of calm: ~100 req/s, 0-2% errors, p95 3 ms ± 1, a few faults (seeded noise, well within the floors). */
  private static List<JsonObject> calm(AnomalyDetector detector) {
    Random random = new Random(42);
    List<JsonObject> flagged = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      flagged.addAll(detector.observe(sample(i, 100 + random.nextGaussian() * 10, Math.max(0, 0.01 + random.nextGaussian() * 0.01),
          3 + Math.abs(random.nextGaussian()), Math.max(0, 2 + random.nextGaussian()))));
    }
    return flagged;
  }

  @Test
  void calmSeededTrafficRaisesNothingAndASpikeIsFlaggedOnce() {
    AnomalyDetector detector = new AnomalyDetector(0.3, 3.0, 10);
    List<JsonObject> flagged = calm(detector);
    // a burst of traffic carrying the same share of faults is not a chaos event spike
    flagged.addAll(detector.observe(sample(600, 300, 0.01, 3, 6)));
    assertThat(flagged).isEmpty();
    for (int i = 601; i < 605; i++) {
      flagged.addAll(detector.observe(sample(i, 100, 0.5, 300, 50)));
    }
    assertThat(flagged.stream().map(a -> a.getString("type")))
        .containsExactlyInAnyOrder("high_error_rate", "latency_anomaly", "event_spike");
    JsonObject latency = flagged.stream().filter(a -> a.getString("type").equals("latency_anomaly")).findFirst().orElseThrow();
    assertThat(latency.getDouble("value")).isEqualTo(300.0);
    assertThat(latency.getDouble("expected")).isLessThan(6.0);
  }

  @Test
  void trafficThatStopsIsUnexpectedQuiet() {
    AnomalyDetector detector = new AnomalyDetector(0.3, 3.0, 10);
    List<JsonObject> flagged = calm(detector);
    for (int i = 600; i < 605; i++) {
      flagged.addAll(detector.observe(sample(i, 2, 0.0, 3, 0)));
    }
    assertThat(flagged.stream().map(a -> a.getString("type"))).containsExactly("unexpected_quiet");
  }

  @Test
  void nothingIsFlaggedDuringWarmUp() {
    AnomalyDetector detector = new AnomalyDetector(0.3, 3.0, 10);
    List<JsonObject> flagged = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      flagged.addAll(detector.observe(sample(i, 100, i == 8 ? 0.9 : 0, 3, 0)));
    }
    assertThat(flagged).isEmpty();
  }
}
