package io.faultline.history.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an A/B test concludes from its samples' runs. */
class AbTestAnalysisTest {

  private static List<JsonObject> runs(String side, int count, double score) {
    List<JsonObject> runs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      runs.add(new JsonObject().put("id", side + i).put("resilience_score", score + i * 0.1)
          .put("metrics", new JsonObject().put("request_count", 100).put("error_count", 0)));
    }
    return runs;
  }

  /**
   * Past the exact test's splits (11 samples a side: C(22, 11) is 705,432) the test is sampled, and the smallest p it can
   * give is one in its 50,000 draws and the observed split: the answer gave the exact bound (2.8e-6), so an alpha below
   * 2e-5 could never come out significant and nothing said so.
   */
  @Test
  void aSampledTestSaysTheSmallestPItCanGive() {
    JsonObject result = AbTest.analyse(runs("a", 11, 50), runs("b", 11, 90), "resilience_score", 1e-5, 42);
    JsonObject test = result.getJsonObject("test");
    assertThat(test.getBoolean("exact")).isFalse();
    assertThat(test.getDouble("smallest_possible_p")).isEqualTo(1.0 / 50_001);
    assertThat(result.getString("winner")).isNull();
    assertThat(result.getString("conclusion")).contains("the smallest possible p is 2.00e-05: more samples are needed");

    JsonObject exact = AbTest.analyse(runs("a", 5, 50), runs("b", 5, 90), "resilience_score", 0.05, 42).getJsonObject("test");
    assertThat(exact.getBoolean("exact")).isTrue();
    assertThat(exact.getDouble("smallest_possible_p")).isCloseTo(2.0 / 252, org.assertj.core.data.Offset.offset(1e-12));
  }

  /** A run as history keeps it: its report, scored against the window before it ({@code preRun}, null: none was calm). */
  private static JsonObject recorded(String id, JsonObject preRun) {
    JsonObject stepMetrics = new JsonObject().put("request_count", 100).put("error_count", 20).put("fault_count", 20)
        .put("error_rate", 0.2).put("p95_latency", 50.0);
    JsonObject report = new JsonObject().put("id", id).put("status", "succeeded")
        .put("steps", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "errors").put("status", "succeeded")
            .put("metrics", stepMetrics)))
        .put("metrics", stepMetrics.copy());
    JsonObject resilience = io.faultline.history.score.ResilienceScore.of(report, preRun);
    return report.put("resilience", resilience).put("resilience_score", resilience.getValue("score"));
  }

  /**
   * Only the first sample has a calm window before it (each later one's holds the previous sample's chaos), so history
   * scores A1 against it and every other sample against none: the same run scored 76.3 as A1 and 90 as any other, and
   * of two identical variants B came out the better by A1 alone. Every sample is now scored against one baseline.
   */
  @Test
  void everySampleIsScoredAgainstOneBaseline() {
    JsonObject calm = new JsonObject().put("request_count", 500).put("fault_count", 0).put("error_rate", 0.0).put("p95_latency", 5.0);
    List<JsonObject> a = new ArrayList<>(List.of(recorded("a1", calm), recorded("a2", null), recorded("a3", null)));
    List<JsonObject> b = List.of(recorded("b1", null), recorded("b2", null), recorded("b3", null));
    assertThat(a.get(0).getDouble("resilience_score")).as("history's own scores differ").isNotEqualTo(b.get(0).getDouble("resilience_score"));

    JsonObject result = AbTest.compare(a, b, "resilience_score", 0.05, 42);
    assertThat(result.getJsonObject("baseline").getString("source")).isEqualTo("pre_run_window");
    assertThat(result.getJsonObject("a").getJsonArray("values")).containsOnly(76.3);
    assertThat(result.getJsonObject("b").getJsonArray("values")).containsOnly(76.3);
    assertThat(result.getJsonObject("test").getDouble("difference")).isZero();
    assertThat(result.getString("conclusion")).startsWith("no significant difference in resilience_score");

    // no calm window before the first sample either: the fault-free steps of all, here none, so none for every sample
    a.set(0, recorded("a1", null));
    JsonObject none = AbTest.compare(a, b, "resilience_score", 0.05, 42);
    assertThat(none.getJsonObject("baseline").getString("source")).isEqualTo("none");
    assertThat(none.getJsonObject("a").getJsonArray("values")).containsOnly(90.0);
    // on another metric the scores play no part, nor does a baseline
    assertThat(AbTest.compare(a, b, "error_rate", 0.05, 42).containsKey("baseline")).isFalse();
  }
}
