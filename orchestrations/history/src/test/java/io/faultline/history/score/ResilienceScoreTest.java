package io.faultline.history.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The score's formula on hand-made reports: each component, the baseline it is measured against, and determinism. */
class ResilienceScoreTest {

  private static JsonObject step(String status, long requests, long errors, long faults, double p95, boolean assertionHeld) {
    return new JsonObject().put("name", "s").put("status", status)
        .put("metrics", new JsonObject().put("request_count", requests).put("error_count", errors).put("fault_count", faults)
            .put("error_rate", requests == 0 ? 0.0 : (double) errors / requests).put("p95_latency", p95))
        .put("assertions", new JsonArray().add(new JsonObject().put("passed", assertionHeld)));
  }

  private static JsonObject report(JsonArray steps, long requests, long errors, double p95) {
    return new JsonObject().put("steps", steps).put("assertions", new JsonArray())
        .put("metrics", new JsonObject().put("request_count", requests).put("error_count", errors)
            .put("error_rate", (double) errors / requests).put("p95_latency", p95));
  }

  @Test
  void eachComponentAsDocumented() {
    JsonObject preRun = new JsonObject().put("request_count", 100).put("error_rate", 0.0).put("p95_latency", 10.0);
    // one step held, one failed; 1 of 2 assertions; 30% errors against 0; p95 50 ms against 1.5 * 10 + 10 = 25 allowed
    JsonObject r = report(new JsonArray().add(step("succeeded", 100, 0, 0, 5, true)).add(step("failed", 100, 60, 60, 95, false)),
        200, 60, 50);
    JsonObject score = ResilienceScore.of(r, preRun);
    JsonObject c = score.getJsonObject("components");
    assertThat(c.getJsonObject("steps").getDouble("value")).isEqualTo(0.5);
    assertThat(c.getJsonObject("assertions").getDouble("value")).isEqualTo(0.5);
    assertThat(c.getJsonObject("errors").getDouble("value")).isEqualTo(0.7);
    assertThat(c.getJsonObject("latency").getDouble("value")).isEqualTo(0.5);
    // 100 * (0.3 * 0.5 + 0.2 * 0.5 + 0.3 * 0.7 + 0.2 * 0.5) / 1.0 = 56.0
    assertThat(score.getDouble("score")).isEqualTo(56.0);
    assertThat(ResilienceScore.of(r, preRun)).isEqualTo(score);
    assertThat(score.getJsonObject("baseline").getString("source")).isEqualTo("pre_run_window");
  }

  /** A run no request went through has no score: its steps alone scored it 100, above every run that saw the faults. */
  @Test
  void aRunThatSawNoRequestsHasNoScore() {
    JsonObject r = new JsonObject().put("steps", new JsonArray().add(step("succeeded", 0, 0, 0, 0, true))).put("assertions", new JsonArray())
        .put("metrics", new JsonObject().put("request_count", 0).put("error_count", 0));
    JsonObject score = ResilienceScore.of(r, null);
    assertThat(score.getDouble("score")).isNull();
    assertThat(score.getString("reason")).contains("no requests");
  }

  /** A conditional step's own result (the branch it chose) is no step of its own: a failing branch counted twice. */
  @Test
  void aConditionalStepsBranchIsCountedOnceThroughItsSteps() {
    JsonObject check = new JsonObject().put("name", "check").put("status", "failed").put("branch", "then")
        .put("metrics", new JsonObject()).put("assertions", new JsonArray());
    JsonObject r = report(new JsonArray().add(step("succeeded", 100, 0, 0, 5, true)).add(check).add(step("failed", 100, 0, 0, 5, true)),
        200, 0, 5);
    assertThat(ResilienceScore.of(r, null).getJsonObject("components").getJsonObject("steps").getString("measured"))
        .isEqualTo("1 of 2 steps succeeded");
  }

  @Test
  void aStepCutShortByAnAbortOrAStopRanAndDidNotSucceed() {
    for (String cut : new String[] {"aborted", "stopped"}) {
      JsonObject r = report(new JsonArray().add(step("succeeded", 100, 0, 0, 5, true)).add(step(cut, 100, 0, 0, 5, true)), 200, 0, 5);
      assertThat(ResilienceScore.of(r, null).getJsonObject("components").getJsonObject("steps").getString("measured"))
          .as(cut).isEqualTo("1 of 2 steps succeeded");
    }
  }

  @Test
  void withoutAPreRunWindowTheFaultFreeStepsAreTheBaselineAndWithoutEitherLatencyIsLeftOut() {
    JsonArray steps = new JsonArray().add(step("succeeded", 50, 5, 0, 4, true)).add(step("succeeded", 50, 5, 10, 4, true));
    JsonObject withCalmStep = ResilienceScore.of(report(steps, 100, 10, 4), null);
    assertThat(withCalmStep.getJsonObject("baseline").getString("source")).isEqualTo("fault_free_steps");
    // the upstream's own 10% errors are the baseline: no penalty
    assertThat(withCalmStep.getDouble("score")).isEqualTo(100.0);

    JsonArray faulted = new JsonArray().add(step("succeeded", 100, 10, 10, 4, true));
    JsonObject none = ResilienceScore.of(report(faulted, 100, 10, 4), null);
    assertThat(none.getJsonObject("baseline").getString("source")).isEqualTo("none");
    assertThat(none.getJsonObject("components").containsKey("latency")).isFalse();
    // (0.3 * 1 + 0.2 * 1 + 0.3 * 0.9) / 0.8 = 0.9625
    assertThat(none.getDouble("score")).isEqualTo(96.3);
  }

  @Test
  void aPreRunWindowWithFaultsInItIsNoCalmBaseline() {
    // the run before (an A/B test's previous sample) still injecting: its 20% errors would have been "calm"
    JsonObject busy = new JsonObject().put("request_count", 100).put("error_rate", 0.2).put("p95_latency", 40.0).put("fault_count", 20);
    JsonArray steps = new JsonArray().add(step("succeeded", 50, 0, 0, 4, true)).add(step("succeeded", 50, 10, 10, 30, true));
    JsonObject score = ResilienceScore.of(report(steps, 100, 10, 30), busy);
    assertThat(score.getJsonObject("baseline").getString("source")).isEqualTo("fault_free_steps");
    assertThat(score.getJsonObject("baseline").getDouble("error_rate")).isEqualTo(0.0);
  }
}
