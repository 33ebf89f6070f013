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

  /**
   * A steady fault is one episode and stays out of the baseline, even when some of its samples only just miss
   * the bounds that start one. A hunt's steady 50 ms delay (p95 55-64 ms against a calm 6 ms) was taken into the
   * baseline within five samples, one sample of 55.4 ms having missed the 56.3 ms an anomaly needs; a steady
   * 20% of errors was counted as seven anomalies.
   */
  @Test
  void aSteadyFaultIsOneEpisodeAndStaysOutOfTheBaseline() {
    AnomalyDetector detector = new AnomalyDetector(0.3, 3.0, 10);
    List<JsonObject> flagged = calm(detector);
    double calmP95 = detector.baseline("p95_latency");
    Random random = new Random(7);
    for (int i = 600; i < 640; i++) {
      // p95 alternating between clearly beyond (64 ms) and just short of the full bounds (calm + 50 ms less 1);
      // errors around 20% with sampling noise, now and then a sample with few
      double p95 = i % 2 == 0 ? 64 : calmP95 + 49;
      double errors = Math.max(0.05, 0.2 + random.nextGaussian() * 0.07); // at least one error in 20 requests
      flagged.addAll(detector.observe(sample(i, 100, errors, p95, 20)));
    }
    assertThat(flagged.stream().filter(a -> a.getString("type").equals("latency_anomaly")).count()).as("latency episodes").isEqualTo(1);
    assertThat(flagged.stream().filter(a -> a.getString("type").equals("high_error_rate")).count()).as("error episodes").isEqualTo(1);
    assertThat(detector.baseline("p95_latency")).as("the baseline p95 after 40 s of the fault").isLessThan(calmP95 + 1);
    // back to calm: the episode ends, and a later fault is a new one
    for (int i = 640; i < 660; i++) {
      flagged.addAll(detector.observe(sample(i, 100, 0.01, 3.5, 2)));
    }
    flagged.addAll(detector.observe(sample(660, 100, 0.01, 300, 2)));
    assertThat(flagged.stream().filter(a -> a.getString("type").equals("latency_anomaly")).count()).isEqualTo(2);
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
