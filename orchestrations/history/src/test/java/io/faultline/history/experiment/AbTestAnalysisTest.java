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
}
